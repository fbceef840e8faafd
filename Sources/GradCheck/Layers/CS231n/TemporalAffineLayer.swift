/// CS231n's `temporal_affine_forward`/`temporal_affine_backward`: x (N, T, D), w (D, M), b (M);
/// out = x.reshape(N T, D) @ w + b as (N, T, M): the same affine map at every step.
///
/// Derivation: with x2 = x.reshape(N T, D) and dout2 = dout.reshape(N T, M), as for affine:
/// dx = (dout2 @ w.T).reshape(N, T, D), dw = x2.T @ dout2, db = dout2.sum(axis=0) (over N and T).
public struct TemporalAffineLayer: LayerFunction {
    public init() {}

    public var inputNames: [String] { ["x", "w", "b"] }
    public var gradientInputs: [(gradient: String, input: String)] { [("dx", "x"), ("dw", "w"), ("db", "b")] }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        let x = inputs["x"]!
        let w = inputs["w"]!
        let b = inputs["b"]!
        guard x.rank == 3 else { throw LayerError("x", "has shape \(x.shapeDescription); expected (N, T, D)") }
        guard w.rank == 2, w.shape[0] == x.shape[2] else {
            throw LayerError.shapes("w", w.shape, expected: [x.shape[2], w.shape.last ?? 0], because: "x \(x.shapeDescription) (N, T, D)")
        }
        guard b.shape == [w.shape[1]] else {
            throw LayerError.shapes("b", b.shape, expected: [w.shape[1]], because: "w \(w.shapeDescription)")
        }
        return [[x.shape[0], x.shape[1], w.shape[1]]]
    }

    /// (N T, D, M, N, T).
    private func sizes(_ inputs: LayerInputs) -> (rows: Int, d: Int, m: Int, n: Int, t: Int) {
        let x = inputs["x"]!
        let w = inputs["w"]!
        return (x.shape[0] * x.shape[1], w.shape[0], w.shape[1], x.shape[0], x.shape[1])
    }

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        let (rows, d, m, n, t) = sizes(inputs)
        var out = LayerMath.matmul(inputs["x"]!.values, inputs["w"]!.values, m: rows, k: d, n: m)
        let b = inputs["b"]!.values
        for i in 0..<rows {
            for j in 0..<m { out[i * m + j] += b[j] }
        }
        return [Tensor(shape: [n, t, m], values: out)]
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        let (rows, d, m, _, _) = sizes(inputs)
        let x = inputs["x"]!
        let w = inputs["w"]!
        let dout = upstream[0].values
        return [
            "dx": Tensor(shape: x.shape, values: LayerMath.matmul(dout, w.values, m: rows, k: m, n: d, transposeB: true)),
            "dw": Tensor(shape: w.shape, values: LayerMath.matmul(x.values, dout, m: d, k: rows, n: m, transposeA: true)),
            "db": Tensor(shape: [m], values: LayerMath.columnSums(dout, m: rows, n: m)),
        ]
    }

    public func forwardOperations(_ inputs: LayerInputs) -> Double {
        let (rows, d, m, _, _) = sizes(inputs)
        return 2 * Double(rows) * Double(d) * Double(m) + Double(rows * m)
    }

    public var slips: [LayerSlip] {
        [
            LayerSlip(.transposed, "dw is the product in the wrong order, dout2.T @ x2 (the transpose of x2.T @ dout2)") {
                inputs, upstream in
                let (rows, d, m, _, _) = sizes(inputs)
                let product = LayerMath.matmul(upstream[0].values, inputs["x"]!.values, m: m, k: rows, n: d, transposeA: true)
                return ["dw": Tensor(shape: [m, d], values: product)]
            },
            LayerSlip(.scaled, "dw and db carry an extra 1/N: the layer's backward does not average over the batch (the loss does)") {
                inputs, upstream in
                let n = Double(sizes(inputs).n)
                guard n > 1 else { return nil }
                let right = backward(inputs, upstream: upstream)
                return ["dw": (1 / n) * right["dw"]!, "db": (1 / n) * right["db"]!]
            },
            LayerSlip(.wrongAxis, "db is summed over axis 0 only (dout.sum(axis=0), shape (T, M)) instead of over N and T") {
                inputs, upstream in
                let (_, _, m, n, t) = sizes(inputs)
                return ["db": Tensor(shape: [t, m], values: LayerMath.columnSums(upstream[0].values, m: n, n: t * m))]
            },
            LayerSlip(.wrongAxis, "db holds the sum of the whole upstream (dout.sum()) in every entry instead of one sum per output unit") {
                inputs, upstream in
                let m = sizes(inputs).m
                guard m > 1 else { return nil }
                let total = upstream[0].values.reduce(0, +)
                return ["db": Tensor(shape: [m], values: Array(repeating: total, count: m))]
            },
            LayerSlip(.wrongAxis, "dx is not reshaped back to x's shape: it is dout2 @ w.T as (N T, D)") { inputs, upstream in
                let (rows, d, _, _, _) = sizes(inputs)
                return ["dx": backward(inputs, upstream: upstream)["dx"]!.reshaped([rows, d])]
            },
        ]
    }
}
