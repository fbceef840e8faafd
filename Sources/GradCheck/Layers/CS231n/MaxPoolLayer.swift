/// CS231n's `max_pool_forward_naive`/`max_pool_backward_naive`: x (N, C, H, W), hyper-parameters
/// `pool_height`, `pool_width`, `stride`; out[n, c, oh, ow] = the window's maximum.
///
/// Derivation: where the window's maximum is one entry, out is that entry, so dout[n, c, oh, ow]
/// flows to it alone (dx[argmax] += dout: windows that overlap add). Where entries tie, max is not
/// differentiable: any split of dout among the tied entries (each a share of its sign, the shares
/// summing to dout) is a subgradient; the backward sends it all to the first maximum in numpy's
/// argmax order, and `tiedGroups` tells the checker to judge those entries jointly.
public struct MaxPoolLayer: PoolingLayer {
    public let poolHeight: Int
    public let poolWidth: Int
    public let stride: Int
    public let floorsOutput: Bool

    public init(poolHeight: Int, poolWidth: Int, stride: Int, floorsOutput: Bool = false) {
        (self.poolHeight, self.poolWidth, self.stride, self.floorsOutput) = (poolHeight, poolWidth, stride, floorsOutput)
    }

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        let g = geometry(inputs)
        var out = [Double](repeating: 0, count: g.n * g.c * g.ho * g.wo)
        inputs["x"]!.values.withUnsafeBufferPointer { x in
            var o = 0
            for plane in 0..<(g.n * g.c) {
                for oh in 0..<g.ho {
                    for ow in 0..<g.wo {
                        var best = -Double.infinity
                        for i in 0..<g.ph {
                            let row = (plane * g.h + oh * g.stride + i) * g.w + ow * g.stride
                            for j in 0..<g.pw where x[row + j] > best || x[row + j].isNaN { best = x[row + j] }
                        }
                        out[o] = best
                        o += 1
                    }
                }
            }
        }
        return [Tensor(shape: g.outputShape, values: out)]
    }

    /// Only the windows holding a displaced entry are taken again (the same maximum `forward`
    /// takes, bit for bit), and only their outputs are said to change.
    public func forward(
        _ inputs: LayerInputs, displacing name: String, entries: [Int], by deltas: [Double], from cached: [Tensor]
    ) -> DisplacedOutput {
        let g = geometry(inputs)
        let x = inputs["x"]!.values
        var windows: [Int] = []
        for entry in entries {
            let (plane, offset) = entry.quotientAndRemainder(dividingBy: g.h * g.w)
            let (row, column) = offset.quotientAndRemainder(dividingBy: g.w)
            // Windows oh with oh s <= row < oh s + ph, likewise along the width.
            let (top, bottom) = (max(0, (row - g.ph + g.stride) / g.stride), min(g.ho - 1, row / g.stride))
            let (left, right) = (max(0, (column - g.pw + g.stride) / g.stride), min(g.wo - 1, column / g.stride))
            guard top <= bottom, left <= right else { continue }  // a row or column no window reads
            for oh in top...bottom where oh * g.stride + g.ph > row {
                for ow in left...right where ow * g.stride + g.pw > column { windows.append((plane * g.ho + oh) * g.wo + ow) }
            }
        }
        windows.sort()
        var unique = 0
        for o in windows where unique == 0 || windows[unique - 1] != o {
            windows[unique] = o
            unique += 1
        }
        windows.removeLast(windows.count - unique)
        var out = cached[0]
        for o in windows {
            let (plane, offset) = o.quotientAndRemainder(dividingBy: g.ho * g.wo)
            let (oh, ow) = offset.quotientAndRemainder(dividingBy: g.wo)
            var best = -Double.infinity
            for i in 0..<g.ph {
                let row = (plane * g.h + oh * g.stride + i) * g.w + ow * g.stride
                for j in 0..<g.pw where x[row + j] > best || x[row + j].isNaN { best = x[row + j] }
            }
            out.values[o] = best
        }
        return DisplacedOutput(out, changedAt: windows, from: cached[0])
    }

    public func displacedOperations(_ inputs: LayerInputs, displacing name: String) -> Double {
        let g = geometry(inputs)
        return Double(g.n * g.c * g.ho * g.wo) + 4 * Double(g.ph * g.pw)
    }

    /// The first maximum of a window (numpy's argmax: the first in row-major order).
    static func argmax(_ window: [Int], _ x: [Double]) -> Int {
        var best = window[0]
        for index in window.dropFirst() where x[index] > x[best] { best = index }
        return best
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        let x = inputs["x"]!
        let dout = upstream[0].values
        var dx = [Double](repeating: 0, count: x.count)
        geometry(inputs).forEachWindow { window, out in dx[Self.argmax(window, x.values)] += dout[out] }
        return ["dx": Tensor(shape: x.shape, values: dx)]
    }

    public func forwardOperations(_ inputs: LayerInputs) -> Double {
        let g = geometry(inputs)
        return Double(g.n * g.c * g.ho * g.wo) * g.area
    }

    /// Each window whose maximum is reached by two or more entries, or come within `resolution`
    /// of it: their flat indices into x.
    ///
    /// Why within 2h for a check at step h: moving a group by +-h then moves its window's
    /// maximum by exactly +-h, as every entry outside the group is more than 2h below it, and
    /// the group's shares must sum to the window's upstream. With a runner-up (or an overlapping
    /// window's maximum) closer than the step, a single entry's differences are secants over
    /// several pieces of max, which need not bracket its share (values of 1e-8 at h = 1e-7).
    public func tiedGroups(_ inputs: LayerInputs, within resolution: Double) -> [String: [[Int]]] {
        let x = inputs["x"]!.values
        var groups: [[Int]] = []
        geometry(inputs).forEachWindow { window, _ in
            let best = x[Self.argmax(window, x)]
            let tied = window.filter { x[$0] >= best - resolution }
            if tied.count > 1 { groups.append(tied) }
        }
        return groups.isEmpty ? [:] : ["x": groups]
    }

    public var slips: [LayerSlip] {
        [
            LayerSlip(
                .everyMaximum,
                "dx sends a window's whole upstream to every tied maximum (an x == max mask) instead of one share of it"
            ) { inputs, upstream in
                guard tiedGroups(inputs)["x"] != nil else { return nil }
                let x = inputs["x"]!
                let dout = upstream[0].values
                var dx = [Double](repeating: 0, count: x.count)
                geometry(inputs).forEachWindow { window, out in
                    let best = x.values[Self.argmax(window, x.values)]
                    for index in window where x.values[index] == best { dx[index] += dout[out] }
                }
                return ["dx": Tensor(shape: x.shape, values: dx)]
            },
            LayerSlip(.overwritten, "dx assigns each window's gradient (dx[window] = mask * dout) where overlapping windows must add (+=)")
            {
                inputs, upstream in
                overwritten(inputs, upstream) { window, x, dx, d in
                    let best = Self.argmax(window, x)
                    for index in window { dx[index] = index == best ? d : 0 }
                }
            },
            LayerSlip(
                .overwritten, "dx assigns the upstream to each window's maximum (dx[argmax] = dout) where overlapping windows must add (+=)"
            ) {
                inputs, upstream in
                overwritten(inputs, upstream) { window, x, dx, d in dx[Self.argmax(window, x)] = d }
            },
            LayerSlip(.strideIgnored, "dx ignores the stride: the backward's windows move by 1 where the forward's moved by stride") {
                inputs, upstream in
                strideIgnored(inputs, upstream)
            },
        ]
    }

    /// dx from the right rule over windows that move by 1 (`geometry.moving(by: 1)`); nil at stride 1.
    private func strideIgnored(_ inputs: LayerInputs, _ upstream: [Tensor]) -> [String: Tensor]? {
        guard stride > 1 else { return nil }
        let x = inputs["x"]!
        let dout = upstream[0].values
        var dx = [Double](repeating: 0, count: x.count)
        geometry(inputs).moving(by: 1).forEachWindow { window, out in dx[Self.argmax(window, x.values)] += dout[out] }
        return ["dx": Tensor(shape: x.shape, values: dx)]
    }

    /// dx written window by window in numpy's order by `write` (an assignment where the backward
    /// adds); nil when no window overlaps another in a way that changes dx.
    private func overwritten(
        _ inputs: LayerInputs, _ upstream: [Tensor], write: ([Int], [Double], inout [Double], Double) -> Void
    ) -> [String: Tensor]? {
        let g = geometry(inputs)
        guard g.overlaps else { return nil }
        let x = inputs["x"]!
        let dout = upstream[0].values
        var dx = [Double](repeating: 0, count: x.count)
        g.forEachWindow { window, out in write(window, x.values, &dx, dout[out]) }
        let slipped = Tensor(shape: x.shape, values: dx)
        return slipped == backward(inputs, upstream: upstream)["dx"]! ? nil : ["dx": slipped]
    }
}
