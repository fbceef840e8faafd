/// CS231n's `conv_forward_naive`/`conv_backward_naive`: x (N, C, H, W), w (F, C, HH, WW), b (F),
/// hyper-parameters `stride` and `pad`; out (N, F, H', W') with H' = 1 + (H + 2 pad - HH) / stride.
///
/// Derivation: with xp = x zero-padded by `pad`,
///     out[n, f, oh, ow] = b[f] + sum_{c, i, j} w[f, c, i, j] xp[n, c, oh s + i, ow s + j],
/// so for f = sum dout * out every output entry that read an input entry sends it its weight:
///     dxp[n, c, oh s + i, ow s + j] += w[f, c, i, j] dout[n, f, oh, ow]   (then dx = dxp without
///                                                                           its padding),
///     dw[f, c, i, j] = sum_{n, oh, ow} dout[n, f, oh, ow] xp[n, c, oh s + i, ow s + j],
///     db[f]          = sum_{n, oh, ow} dout[n, f, oh, ow].
public struct ConvLayer: LayerFunction {
    public let stride: Int
    public let pad: Int
    /// Whether an output size that is not whole is floored (deeplearning.ai's `int(...)`) rather
    /// than refused (CS231n's assertion).
    public let floorsOutput: Bool

    public init(stride: Int, pad: Int, floorsOutput: Bool = false) {
        self.stride = stride
        self.pad = pad
        self.floorsOutput = floorsOutput
    }

    public var inputNames: [String] { ["x", "w", "b"] }
    public var gradientInputs: [(gradient: String, input: String)] { [("dx", "x"), ("dw", "w"), ("db", "b")] }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        let x = inputs["x"]!
        let w = inputs["w"]!
        let b = inputs["b"]!
        guard x.rank == 4 else { throw LayerError("x", "has shape \(x.shapeDescription); expected (N, C, H, W)") }
        guard w.rank == 4, w.shape[1] == x.shape[1] else {
            let f = w.rank == 4 ? w.shape[0] : 0
            let (hh, ww) = w.rank == 4 ? (w.shape[2], w.shape[3]) : (0, 0)
            throw LayerError.shapes("w", w.shape, expected: [f, x.shape[1], hh, ww], because: "x \(x.shapeDescription) (N, C, H, W)")
        }
        guard b.shape == [w.shape[0]] else {
            throw LayerError.shapes("b", b.shape, expected: [w.shape[0]], because: "w \(w.shapeDescription) (F, C, HH, WW)")
        }
        for (axis, name) in [(2, "height"), (3, "width")] {
            let padded = x.shape[axis] + 2 * pad
            let filter = w.shape[axis]
            guard padded >= filter else {
                throw LayerError(
                    "w",
                    "has shape \(w.shapeDescription): its \(name) \(filter) exceeds the padded input's \(padded) (x \(x.shapeDescription), pad \(pad))"
                )
            }
            guard floorsOutput || (padded - filter) % stride == 0 else {
                throw LayerError(
                    "x",
                    "has shape \(x.shapeDescription): its \(name) + 2 pad - the filter's = \(padded - filter) is not a multiple of stride \(stride), so the output \(name) 1 + \(padded - filter)/\(stride) is not whole"
                )
            }
        }
        // The forward and backward hold the padded input: a pad of 1e6 with a stride as large
        // describes a small output over terabytes of zeros.
        let padded = (x.shape[0] * x.shape[1]).multipliedReportingOverflow(by: (x.shape[2] + 2 * pad) * (x.shape[3] + 2 * pad))
        guard !padded.overflow, padded.partialValue <= Self.maxPaddedEntries else {
            throw LayerError(
                "x", "padded by \(pad) it would have more than \(Self.maxPaddedEntries) entries; use a pad below the filter's size")
        }
        return [geometry(inputs).outputShape]
    }

    /// Entries the padded input may have (2^26 doubles: 512 MiB).
    static let maxPaddedEntries = 1 << 26

    func geometry(_ inputs: LayerInputs) -> ConvGeometry {
        ConvGeometry(x: inputs["x"]!.shape, w: inputs["w"]!.shape, stride: stride, pad: pad)
    }

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        let g = geometry(inputs)
        let xp = g.placed(inputs["x"]!.values, top: pad)
        return [Tensor(shape: g.outputShape, values: g.forward(xp: xp, w: inputs["w"]!.values, b: inputs["b"]!.values))]
    }

    /// The outputs of `filters` only, out[:, filters] as (N, filters.count, H', W'), equal to those
    /// entries of `forward`: a perturbed w[f] or b[f] changes filter f's outputs alone, so a
    /// checker that caches the rest recomputes 1/F of the layer per coordinate.
    public func forward(_ inputs: LayerInputs, filters: Range<Int>) -> Tensor {
        let g = geometry(inputs)
        let xp = g.placed(inputs["x"]!.values, top: pad)
        let values = g.forward(xp: xp, w: inputs["w"]!.values, b: inputs["b"]!.values, filters: filters)
        return Tensor(shape: [g.n, filters.count, g.ho, g.wo], values: values)
    }

    /// A displaced w[f, ...] or b[f] changes out[:, f] alone: those outputs are recomputed (with the
    /// same sums in the same order, so bit for bit what `forward` gives) and spliced into `cached`.
    public func forward(
        _ inputs: LayerInputs, displacing name: String, entries: [Int], by deltas: [Double], from cached: [Tensor]
    ) -> DisplacedOutput {
        guard name == "w" || name == "b", let first = entries.min(), let last = entries.max() else {
            return DisplacedOutput(outputs: forward(inputs))
        }
        let w = inputs["w"]!.shape
        let perFilter = name == "w" ? w[1] * w[2] * w[3] : 1
        let filters = (first / perFilter)..<(last / perFilter + 1)
        let slice = forward(inputs, filters: filters)
        var out = cached[0]
        let (n, f, plane) = (out.shape[0], out.shape[1], out.shape[2] * out.shape[3])
        var changed: [Int] = []
        changed.reserveCapacity(n * filters.count * plane)
        let width = filters.count * plane
        out.values.withUnsafeMutableBufferPointer { target in
            slice.values.withUnsafeBufferPointer { source in
                for example in 0..<n {
                    let to = target.baseAddress! + (example * f + filters.lowerBound) * plane
                    to.update(from: source.baseAddress! + example * width, count: width)
                    let start = (example * f + filters.lowerBound) * plane
                    changed.append(contentsOf: start..<(start + width))
                }
            }
        }
        return DisplacedOutput(out, changedAt: changed, from: cached[0])
    }

    /// One filter's share of the forward (and the padded copy of x), plus the copy of the output.
    public func displacedOperations(_ inputs: LayerInputs, displacing name: String) -> Double {
        guard name == "w" || name == "b" else { return forwardOperations(inputs) }
        let g = geometry(inputs)
        return 2 * Double(g.n) * Double(g.ho * g.wo) * Double(g.c * g.hh * g.ww) + Double(g.n * g.c * g.hp * g.wp)
            + Double(g.n * g.f * g.ho * g.wo)
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        let g = geometry(inputs)
        let dout = upstream[0].values
        let xp = g.placed(inputs["x"]!.values, top: pad)
        let (dxp, dw) = g.backward(source: xp, w: inputs["w"]!.values, dout: dout, step: stride)
        return [
            "dx": g.cropped(dxp, top: pad, rows: g.h, left: pad, cols: g.w),
            "dw": Tensor(shape: inputs["w"]!.shape, values: dw),
            "db": Tensor(shape: [g.f], values: g.biasGradient(dout)),
        ]
    }

    public func forwardOperations(_ inputs: LayerInputs) -> Double {
        let g = geometry(inputs)
        return 2 * Double(g.n * g.f) * Double(g.ho * g.wo) * Double(g.c * g.hh * g.ww) + Double(g.n * g.c * g.hp * g.wp)
    }
}
