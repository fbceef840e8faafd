/// Why a gradient came back in the wrong shape, said the way a teacher would: most wrong shapes
/// in a hand-written backward pass come from a handful of slips (a product in the wrong order,
/// a sum over the wrong axis, another layer's activations), and each leaves its own shape.
///
/// The shapes of the course's backward, layer l of L with widths n_0 ... n_L and m examples:
/// dZ_l = dA_l * g'(Z_l) is (n_l, m); dW_l = dZ_l A_{l-1}^T / m is (n_l, n_{l-1});
/// db_l = sum(dZ_l, axis=1, keepdims=True) / m is (n_l, 1); dA_{l-1} = W_l^T dZ_l is (n_{l-1}, m).
/// A hint is given only when the wrong shape is exactly what one slip produces.
enum GradientShapeHint {
    static func hint(for name: GradientName, shape: Shape, expected: Shape, network: Network, examples m: Int) -> String? {
        let widths = [network.layers.first?.weights.cols ?? 0] + network.layers.map(\.weights.rows)
        let l = name.layer
        let transposed = Shape(rows: expected.cols, cols: expected.rows)
        if shape == transposed {
            return
                "\(shape) is the transpose of \(expected): \(formula(name)) gives \(expected); check the order of the product and its transposes"
        }
        switch name.kind {
        case .bias:
            let dZ = "dZ\(l)"
            if shape == Shape(rows: 1, cols: 1) {
                return
                    "a single number is the sum over every entry of \(dZ); sum over the examples only: np.sum(\(dZ), axis=1, keepdims=True) / m"
            }
            if shape == Shape(rows: 1, cols: m) || shape == Shape(rows: m, cols: 1) {
                return
                    "one entry per example is \(dZ) summed over its units (axis=0); sum over the examples instead: np.sum(\(dZ), axis=1, keepdims=True) / m"
            }
            if shape == Shape(rows: widths[l], cols: m) {
                return "that is \(dZ)'s shape: db\(l) is \(dZ) summed over the examples, np.sum(\(dZ), axis=1, keepdims=True) / m"
            }
        case .weight:
            if shape == Shape(rows: widths[l], cols: m) {
                return
                    "that is dZ\(l)'s shape: dW\(l) is dZ\(l) times \(activation(l - 1))^T, \(formula(name)); the product is missing"
            }
            if shape.rows == widths[l], let k = widths.indices.first(where: { $0 != l - 1 && widths[$0] == shape.cols }),
                widths.indices.filter({ widths[$0] == shape.cols }).count == 1
            {
                return
                    "\(shape) is dZ\(l) times \(activation(k))^T: dW\(l) takes the previous layer's activations, \(formula(name))"
            }
            if let k = network.layers.indices.first(where: { $0 + 1 != l && network.layers[$0].weights.shape == shape }) {
                return "\(shape) is W\(k + 1)'s shape: is this dW\(k + 1) stored under dW\(l)? (layer numbers off by one)"
            }
        case .preActivation, .activation:
            guard shape.cols == m, let k = widths.indices.first(where: { widths[$0] == shape.rows }) else { return nil }
            let other = name.kind == .activation ? activation(k) : (k >= 1 ? "Z\(k)" : nil)
            guard let other, k != l else { return nil }
            return "\(shape) is \(other)'s shape: is this layer \(k)'s gradient stored under \(name)? (layer numbers off by one)"
        }
        return nil
    }

    /// The line of the course's backward that computes `name`.
    static func formula(_ name: GradientName) -> String {
        let l = name.layer
        switch name.kind {
        case .weight: return "dW\(l) = np.dot(dZ\(l), \(activation(l - 1)).T) / m"
        case .bias: return "db\(l) = np.sum(dZ\(l), axis=1, keepdims=True) / m"
        case .preActivation: return "dZ\(l) = dA\(l) * g'(Z\(l))"
        case .activation: return "dA\(l) = np.dot(W\(l + 1).T, dZ\(l + 1))"
        }
    }

    /// A_k by the course's names: the inputs are X.
    static func activation(_ k: Int) -> String { k == 0 ? "X" : "A\(k)" }
}
