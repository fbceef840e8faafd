/// The classic mistakes of a hand-written conv backward, each replayed by the same loops with the
/// mistake made (`ConvGeometry.backward`'s step and source, or what is done with its results).
extension ConvLayer {
    public var slips: [LayerSlip] {
        [
            LayerSlip(
                .flippedKernel, "dw is rotated by 180 degrees (dw[:, :, ::-1, ::-1]): the cross-correlation's arguments are swapped"
            ) { inputs, upstream in
                let w = inputs["w"]!
                guard w.shape[2] > 1 || w.shape[3] > 1 else { return nil }
                return ["dw": Self.rotated(backward(inputs, upstream: upstream)["dw"]!)]
            },
            LayerSlip(.paddingNotRemoved, "dx keeps the padding: it has the padded input's shape (N, C, H + 2 pad, W + 2 pad)") {
                inputs, upstream in
                guard pad > 0 else { return nil }
                let (g, dxp) = paddedGradient(inputs, upstream)
                return ["dx": Tensor(shape: g.paddedShape, values: dxp)]
            },
            LayerSlip(.paddingNotRemoved, "dx has its padding removed at the top and left only (dx_pad[:, :, pad:, pad:])") {
                inputs, upstream in
                guard pad > 0 else { return nil }
                let (g, dxp) = paddedGradient(inputs, upstream)
                return ["dx": g.cropped(dxp, top: pad, rows: g.h + pad, left: pad, cols: g.w + pad)]
            },
            LayerSlip(.paddingNotRemoved, "dx has its padding removed at the bottom and right only (dx_pad[:, :, :-pad, :-pad])") {
                inputs, upstream in
                guard pad > 0 else { return nil }
                let (g, dxp) = paddedGradient(inputs, upstream)
                return ["dx": g.cropped(dxp, top: 0, rows: g.h + pad, left: 0, cols: g.w + pad)]
            },
            LayerSlip(
                .paddingNotRemoved, "dx is the padded gradient's top-left corner (dx_pad[:, :, :H, :W]) instead of its middle (pad:-pad)"
            ) { inputs, upstream in
                guard pad > 0 else { return nil }
                let (g, dxp) = paddedGradient(inputs, upstream)
                return ["dx": g.cropped(dxp, top: 0, rows: g.h, left: 0, cols: g.w)]
            },
            LayerSlip(.wrongAxis, "db is summed over axis 0 only (dout.sum(axis=0), shape (F, H', W')) instead of axes (0, 2, 3)") {
                inputs, upstream in
                let g = geometry(inputs)
                let plane = g.f * g.ho * g.wo
                var db = [Double](repeating: 0, count: plane)
                for (index, value) in upstream[0].values.enumerated() { db[index % plane] += value }
                return ["db": Tensor(shape: [g.f, g.ho, g.wo], values: db)]
            },
            LayerSlip(.wrongAxis, "db is summed over the spatial axes only (dout.sum(axis=(2, 3)), shape (N, F)): the batch is not summed")
            {
                inputs, upstream in
                let g = geometry(inputs)
                let sums = LayerMath.rowSums(upstream[0].values, m: g.n * g.f, n: g.ho * g.wo)
                return ["db": Tensor(shape: [g.n, g.f], values: sums)]
            },
            LayerSlip(.wrongAxis, "db holds the sum of the whole upstream (dout.sum()) in every entry instead of one sum per filter") {
                inputs, upstream in
                let f = inputs["w"]!.shape[0]
                guard f > 1 else { return nil }
                let total = upstream[0].values.reduce(0, +)
                return ["db": Tensor(shape: [f], values: Array(repeating: total, count: f))]
            },
            LayerSlip(.strideIgnored, "dx and dw ignore the stride: the backward's windows move by 1 where the forward's moved by stride") {
                inputs, upstream in
                guard stride > 1 else { return nil }
                let g = geometry(inputs)
                let xp = g.placed(inputs["x"]!.values, top: pad)
                let (dxp, dw) = g.backward(source: xp, w: inputs["w"]!.values, dout: upstream[0].values, step: 1)
                return [
                    "dx": g.cropped(dxp, top: pad, rows: g.h, left: pad, cols: g.w),
                    "dw": Tensor(shape: inputs["w"]!.shape, values: dw),
                ]
            },
            LayerSlip(
                .unpaddedInput, "dw is accumulated from the unpadded input x instead of the padded one (its windows are shifted by pad)"
            ) {
                inputs, upstream in
                guard pad > 0 else { return nil }
                let g = geometry(inputs)
                let origin = g.placed(inputs["x"]!.values, top: 0)
                let dw = g.backward(source: origin, w: inputs["w"]!.values, dout: upstream[0].values, step: stride).dw
                return ["dw": Tensor(shape: inputs["w"]!.shape, values: dw)]
            },
        ]
    }

    /// The right dx before its padding is removed, (N, C, Hp, Wp).
    private func paddedGradient(_ inputs: LayerInputs, _ upstream: [Tensor]) -> (ConvGeometry, [Double]) {
        let g = geometry(inputs)
        let xp = g.placed(inputs["x"]!.values, top: pad)
        return (g, g.backward(source: xp, w: inputs["w"]!.values, dout: upstream[0].values, step: stride).dxp)
    }

    /// A rank-4 tensor with its last two axes reversed (numpy's `t[:, :, ::-1, ::-1]`).
    static func rotated(_ t: Tensor) -> Tensor {
        let (rows, cols) = (t.shape[2], t.shape[3])
        let plane = rows * cols
        var values = t.values
        for start in Swift.stride(from: 0, to: t.count, by: max(plane, 1)) {
            for i in 0..<rows {
                for j in 0..<cols { values[start + i * cols + j] = t.values[start + (rows - 1 - i) * cols + (cols - 1 - j)] }
            }
        }
        return Tensor(shape: t.shape, values: values)
    }
}
