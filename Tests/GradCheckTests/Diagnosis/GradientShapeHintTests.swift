import TestSupport
import Testing

@testable import GradCheck

/// A wrong gradient shape is explained by the slip that produces it, and only then.
@Suite struct GradientShapeHintTests {
    // Widths 4-6-5-2 and m = 7: every width and m differ, so each shape points at one slip.
    let problem = TestProblem.random(widths: [4, 6, 5, 2], m: 7, activation: .tanh, output: .softmax, seed: 3)

    func message(_ key: String, _ rows: Int, _ cols: Int) -> String {
        var named: [GradientName: Matrix] = [:]
        for (index, layer) in problem.network.layers.enumerated() {
            named[GradientName(layer: index + 1, kind: .weight)] = Matrix(
                rows: layer.weights.rows, cols: layer.weights.cols, repeating: 0.1)
            named[GradientName(layer: index + 1, kind: .bias)] = Matrix(rows: layer.bias.rows, cols: 1, repeating: 0.1)
        }
        named[GradientName(key)!] = Matrix(rows: rows, cols: cols, repeating: 0.1)
        do {
            _ = try NetworkBuilder.gradients(named, for: problem.network, examples: 7)
            _ = try NetworkBuilder.intermediates(named, for: problem.network, examples: 7)
        } catch {
            return error.description
        }
        return "no error"
    }

    @Test func eachSlipHasItsHint() {
        #expect(
            message("dW2", 6, 5).hasSuffix(
                ": (6, 5) is the transpose of (5, 6): dW2 = np.dot(dZ2, A1.T) / m gives (5, 6); check the order of the product and its transposes"
            ))
        #expect(
            message("db2", 1, 1).contains(
                "a single number is the sum over every entry of dZ2; sum over the examples only: np.sum(dZ2, axis=1, keepdims=True) / m"))
        #expect(message("db2", 1, 7).contains("one entry per example is dZ2 summed over its units (axis=0)"))
        #expect(message("db2", 5, 7).contains("that is dZ2's shape: db2 is dZ2 summed over the examples"))
        #expect(
            message("dW2", 5, 7).contains("that is dZ2's shape: dW2 is dZ2 times A1^T, dW2 = np.dot(dZ2, A1.T) / m; the product is missing")
        )
        #expect(message("dW2", 5, 5).contains("(5, 5) is dZ2 times A2^T: dW2 takes the previous layer's activations"))
        #expect(message("dW3", 2, 4).contains("(2, 4) is dZ3 times X^T"))
        #expect(message("dW2", 6, 4).contains("(6, 4) is W1's shape: is this dW1 stored under dW2?"))
        #expect(message("dZ2", 6, 7).contains("(6, 7) is Z1's shape: is this layer 1's gradient stored under dZ2?"))
        #expect(message("dA1", 5, 7).contains("(5, 7) is A2's shape: is this layer 2's gradient stored under dA1?"))
        #expect(message("dA1", 7, 6).contains("is the transpose of (6, 7): dA1 = np.dot(W2.T, dZ2)"))
    }

    @Test func aShapeNoSlipExplainsHasNoHint() {
        #expect(message("dW2", 3, 3) == "dW2 has shape (3, 3) but W2 has shape (5, 6), so dW2 must have shape (5, 6)")
        #expect(message("db2", 2, 2) == "db2 has shape (2, 2) but b2 has shape (5, 1), so db2 must have shape (5, 1)")
        #expect(message("dW1", 6, 4) == "no error")
    }
}
