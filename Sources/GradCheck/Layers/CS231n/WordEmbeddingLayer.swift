/// CS231n's `word_embedding_forward`/`word_embedding_backward`: x (N, T) integer indices into
/// the rows of W (V, D); out[n, t] = W[x[n, t]], (N, T, D). x is never perturbed; only dW.
///
/// Derivation: out[n, t, :] reads row x[n, t] of W, so dW[v] = sum of dout[n, t] over the (n, t)
/// with x[n, t] = v (numpy's `np.add.at(dW, x, dout)`: a repeated index adds).
public struct WordEmbeddingLayer: LayerFunction {
    public init() {}

    public var inputNames: [String] { ["x", "W"] }
    public var integerInputs: Set<String> { ["x"] }
    public var dataInput: String? { "x" }
    public var gradientInputs: [(gradient: String, input: String)] { [("dW", "W")] }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        let x = inputs["x"]!
        let w = inputs["W"]!
        guard x.rank == 2 else { throw LayerError("x", "has shape \(x.shapeDescription); expected (N, T) indices") }
        guard w.rank == 2 else { throw LayerError("W", "has shape \(w.shapeDescription); expected (V, D)") }
        if let bad = x.values.firstIndex(where: { !($0 >= 0 && $0 < Double(w.shape[0])) }) {
            throw LayerError(
                "x",
                "entry \(x.index(ofFlat: bad)) is \(x.values[bad]): an index must be in 0..<\(w.shape[0]) (W \(w.shapeDescription) has \(w.shape[0]) rows)"
            )
        }
        return [[x.shape[0], x.shape[1], w.shape[1]]]
    }

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        let x = inputs["x"]!
        let w = inputs["W"]!
        let d = w.shape[1]
        var out = [Double](repeating: 0, count: x.count * d)
        for (position, index) in x.values.enumerated() {
            let row = Int(index) * d
            for k in 0..<d { out[position * d + k] = w.values[row + k] }
        }
        return [Tensor(shape: [x.shape[0], x.shape[1], d], values: out)]
    }

    /// dW with each position's dout added to (or, `overwrite`, assigned to) its row.
    func gradient(_ inputs: LayerInputs, _ upstream: [Tensor], overwrite: Bool) -> Tensor {
        let x = inputs["x"]!
        let w = inputs["W"]!
        let d = w.shape[1]
        let dout = upstream[0].values
        var dw = [Double](repeating: 0, count: w.count)
        for (position, index) in x.values.enumerated() {
            let row = Int(index) * d
            for k in 0..<d {
                if overwrite { dw[row + k] = dout[position * d + k] } else { dw[row + k] += dout[position * d + k] }
            }
        }
        return Tensor(shape: w.shape, values: dw)
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        ["dW": gradient(inputs, upstream, overwrite: false)]
    }

    public func forwardOperations(_ inputs: LayerInputs) -> Double {
        2 * Double(inputs["x"]!.count * inputs["W"]!.shape[1])
    }

    public var slips: [LayerSlip] {
        [
            LayerSlip(
                .overwritten, "dW loses repeated indices: dW[x] = dout keeps one position's dout per word, where np.add.at adds them all"
            ) {
                inputs, upstream in
                let x = inputs["x"]!.values
                guard Set(x).count < x.count else { return nil }
                return ["dW": gradient(inputs, upstream, overwrite: true)]
            }
        ]
    }
}
