/// How deeplearning.ai's recurrent arrays map onto CS231n's, so the dlai cells are adapters over
/// the CS231n layers (transposes and renames, no arithmetic of their own).
///
/// deeplearning.ai keeps examples as columns: xt (n_x, m), a (n_a, m), a sequence x (n_x, m, T_x),
/// Wax (n_a, n_x) on the left (Wax xt), biases (n_a, 1). CS231n keeps them as rows: x (N, D),
/// h (N, H), x (N, T, D), Wx (D, H) on the right (x Wx), b (H). So x = xt^T, Wx = Wax^T, and a
/// sequence is transposed (n_x, m, T) -> (m, T, n_x). The LSTM's separate Wf, Wi, Wc, Wo
/// (n_a, n_a + n_x) over [a_prev; xt] are the column blocks of CS231n's Wh (H, 4H) and Wx (D, 4H)
/// in the order i, f, o, g (g is deeplearning.ai's candidate cct, its W is Wc).
enum DLAIRecurrentLayout {
    /// (a, b) -> (b, a).
    static func transposed(_ tensor: Tensor) -> Tensor { tensor.transposed([1, 0]) }

    /// A bias (n_a, 1) as CS231n's (H,), and back.
    static func flat(_ tensor: Tensor) -> Tensor { tensor.reshaped([tensor.count]) }
    static func column(_ tensor: Tensor) -> Tensor { tensor.reshaped([tensor.count, 1]) }

    /// A sequence (n, m, T) as CS231n's (m, T, n), and back.
    static func rowsFirst(_ tensor: Tensor) -> Tensor { tensor.transposed([1, 2, 0]) }
    static func columnsFirst(_ tensor: Tensor) -> Tensor { tensor.transposed([2, 0, 1]) }

    /// deeplearning.ai's gate suffixes at CS231n's gate positions i, f, o, g.
    static let gates = ["i", "f", "o", "c"]

    /// Wf, Wi, Wc, Wo (n_a, n_a + n_x) and bf, bi, bc, bo (n_a, 1) packed as CS231n's
    /// Wx (n_x, 4 n_a), Wh (n_a, 4 n_a), b (4 n_a): Wh[p, k H + j] = W_k[j, p] (the a_prev
    /// columns), Wx[d, k H + j] = W_k[j, n_a + d] (the xt columns), b[k H + j] = b_k[j].
    static func packedGates(_ inputs: LayerInputs, hidden: Int, features: Int) -> (wx: Tensor, wh: Tensor, b: Tensor) {
        let width = 4 * hidden
        let stacked = hidden + features
        var wx = [Double](repeating: 0, count: features * width)
        var wh = [Double](repeating: 0, count: hidden * width)
        var b = [Double](repeating: 0, count: width)
        for (k, gate) in gates.enumerated() {
            let w = inputs["W" + gate]!.values
            let bias = inputs["b" + gate]!.values
            for j in 0..<hidden {
                for p in 0..<hidden { wh[p * width + k * hidden + j] = w[j * stacked + p] }
                for d in 0..<features { wx[d * width + k * hidden + j] = w[j * stacked + hidden + d] }
                b[k * hidden + j] = bias[j]
            }
        }
        return (
            Tensor(shape: [features, width], values: wx), Tensor(shape: [hidden, width], values: wh), Tensor(shape: [width], values: b)
        )
    }

    /// CS231n's dWx, dWh (both present, or neither) and db as dWf, dWi, dWc, dWo and dbf, dbi,
    /// dbc, dbo: the inverse of `packedGates`.
    static func unpackedGateGradients(_ gradients: [String: Tensor]) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        if let dWx = gradients["dWx"], let dWh = gradients["dWh"] {
            let (features, width) = (dWx.shape[0], dWx.shape[1])
            let hidden = width / 4
            let stacked = hidden + features
            for (k, gate) in gates.enumerated() {
                var w = [Double](repeating: 0, count: hidden * stacked)
                for j in 0..<hidden {
                    for p in 0..<hidden { w[j * stacked + p] = dWh.values[p * width + k * hidden + j] }
                    for d in 0..<features { w[j * stacked + hidden + d] = dWx.values[d * width + k * hidden + j] }
                }
                result["dW" + gate] = Tensor(shape: [hidden, stacked], values: w)
            }
        }
        if let db = gradients["db"] {
            let hidden = db.count / 4
            for (k, gate) in gates.enumerated() {
                result["db" + gate] = Tensor(shape: [hidden, 1], values: Array(db.values[(k * hidden)..<((k + 1) * hidden)]))
            }
        }
        return result
    }

    /// Checks Wf, Wi, Wc, Wo (n_a, n_a + n_x) and bf, bi, bc, bo (n_a, 1).
    static func checkGates(_ inputs: LayerInputs, hidden: Int, features: Int, because reason: String) throws(LayerError) {
        for gate in ["f", "i", "c", "o"] {
            try RecurrentShapes.expect(inputs, "W" + gate, [hidden, hidden + features], because: reason)
            try RecurrentShapes.expect(inputs, "b" + gate, [hidden, 1], because: reason)
        }
    }
}
