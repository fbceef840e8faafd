/// CS231n's `affine_forward`/`affine_backward`: x (N, d1, ..., dk) is flattened to (N, D), then
/// out = x2 @ w + b with w (D, M), b (M).
///
/// Derivation: out[n, m] = sum_d x2[n, d] w[d, m] + b[m], so for f = sum dout * out:
/// df/dx2 = dout @ w.T (reshaped back to x's shape), df/dw = x2.T @ dout, df/db = sum_n dout[n, :].
public struct AffineLayer: LayerFunction {
    public init() {}

    public var inputNames: [String] { ["x", "w", "b"] }
    public var gradientInputs: [(gradient: String, input: String)] { [("dx", "x"), ("dw", "w"), ("db", "b")] }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        let x = inputs["x"]!
        let w = inputs["w"]!
        let b = inputs["b"]!
        guard x.rank >= 2 else { throw LayerError("x", "has shape \(x.shapeDescription); expected (N, d1, ..., dk)") }
        let d = x.count / max(x.shape[0], 1)
        guard w.rank == 2, w.shape[0] == d else {
            throw LayerError.shapes(
                "w", w.shape, expected: [d, w.shape.last ?? 0], because: "x \(x.shapeDescription) flattened to (N, \(d))")
        }
        guard b.shape == [w.shape[1]] else {
            throw LayerError.shapes("b", b.shape, expected: [w.shape[1]], because: "w \(w.shapeDescription)")
        }
        return [[x.shape[0], w.shape[1]]]
    }

    private func sizes(_ inputs: LayerInputs) -> (n: Int, d: Int, m: Int) {
        let w = inputs["w"]!
        return (inputs["x"]!.shape[0], w.shape[0], w.shape[1])
    }

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        let (n, d, m) = sizes(inputs)
        var out = LayerMath.matmul(inputs["x"]!.values, inputs["w"]!.values, m: n, k: d, n: m)
        let b = inputs["b"]!.values
        for i in 0..<n {
            for j in 0..<m { out[i * m + j] += b[j] }
        }
        return [Tensor(shape: [n, m], values: out)]
    }

    /// out = x2 @ w + b is linear in each argument, so a displaced entry adds its delta times what
    /// it multiplies to the outputs it reaches: w[d, m] adds delta x2[:, d] to column m, b[m] adds
    /// delta to column m, x2[n, d] adds delta w[d, :] to row n. Equal to `forward` up to rounding.
    public func forward(
        _ inputs: LayerInputs, displacing name: String, entries: [Int], by deltas: [Double], from cached: [Tensor]
    ) -> DisplacedOutput {
        let (n, d, m) = sizes(inputs)
        var out = cached[0]
        switch name {
        case "w", "b":
            let x = inputs["x"]!.values
            var columns: [Int] = []
            columns.reserveCapacity(entries.count)
            for (entry, delta) in zip(entries, deltas) {
                let (row, column) = name == "w" ? entry.quotientAndRemainder(dividingBy: m) : (0, entry)
                for example in 0..<n { out.values[example * m + column] += name == "w" ? delta * x[example * d + row] : delta }
                columns.append(column)
            }
            let distinct = columns.count == 1 ? columns : Array(Set(columns)).sorted()
            var changed: [Int] = []
            changed.reserveCapacity(distinct.count * n)
            for column in distinct {
                for example in 0..<n { changed.append(example * m + column) }
            }
            return DisplacedOutput(out, changedAt: changed, from: cached[0])
        case "x":
            let w = inputs["w"]!.values
            out.values.withUnsafeMutableBufferPointer { target in
                w.withUnsafeBufferPointer { weights in
                    for (entry, delta) in zip(entries, deltas) {
                        let (example, row) = entry.quotientAndRemainder(dividingBy: d)
                        let to = target.baseAddress! + example * m
                        let from = weights.baseAddress! + row * m
                        for column in 0..<m { to[column] += delta * from[column] }
                    }
                }
            }
            return DisplacedOutput(outputs: [out])
        default:
            return DisplacedOutput(outputs: forward(inputs))
        }
    }

    /// A column or a row of updates, plus the copy of the output.
    public func displacedOperations(_ inputs: LayerInputs, displacing name: String) -> Double {
        let (n, _, m) = sizes(inputs)
        return Double(n * m) + 2 * Double(name == "x" ? m : n)
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        let (n, d, m) = sizes(inputs)
        let x = inputs["x"]!
        let w = inputs["w"]!
        let dout = upstream[0].values
        return [
            "dx": Tensor(shape: x.shape, values: LayerMath.matmul(dout, w.values, m: n, k: m, n: d, transposeB: true)),
            "dw": Tensor(shape: w.shape, values: LayerMath.matmul(x.values, dout, m: d, k: n, n: m, transposeA: true)),
            "db": Tensor(shape: [m], values: LayerMath.columnSums(dout, m: n, n: m)),
        ]
    }

    public func forwardOperations(_ inputs: LayerInputs) -> Double {
        let (n, d, m) = sizes(inputs)
        return 2 * Double(n) * Double(d) * Double(m) + Double(n * m)
    }

    public var slips: [LayerSlip] {
        [
            LayerSlip(.transposed, "dw is the product in the wrong order, dout.T @ x (the transpose of x.T @ dout)") { inputs, upstream in
                let (n, d, m) = sizes(inputs)
                let product = LayerMath.matmul(upstream[0].values, inputs["x"]!.values, m: m, k: n, n: d, transposeA: true)
                return ["dw": Tensor(shape: [m, d], values: product)]
            },
            LayerSlip(.scaled, "dw and db carry an extra 1/N: the layer's backward does not average over the batch (the loss does)") {
                inputs, upstream in
                let right = backward(inputs, upstream: upstream)
                let n = Double(inputs["x"]!.shape[0])
                return ["dw": (1 / n) * right["dw"]!, "db": (1 / n) * right["db"]!]
            },
            LayerSlip(.wrongAxis, "db is summed over the wrong axis: dout.sum(axis=1) instead of dout.sum(axis=0)") { inputs, upstream in
                let (n, _, m) = sizes(inputs)
                return ["db": Tensor(shape: [n], values: LayerMath.rowSums(upstream[0].values, m: n, n: m))]
            },
            LayerSlip(.wrongAxis, "db is summed over every axis: dout.sum() in every entry instead of dout.sum(axis=0)") {
                inputs, upstream in
                let m = sizes(inputs).m
                let total = upstream[0].values.reduce(0, +)
                return ["db": Tensor(shape: [m], values: Array(repeating: total, count: m))]
            },
            LayerSlip(.wrongAxis, "dx is not reshaped back to x's shape: it is dout @ w.T as (N, D)") { inputs, upstream in
                let x = inputs["x"]!
                guard x.rank > 2 else { return nil }
                let (n, d, _) = sizes(inputs)
                return ["dx": backward(inputs, upstream: upstream)["dx"]!.reshaped([n, d])]
            },
        ]
    }
}
