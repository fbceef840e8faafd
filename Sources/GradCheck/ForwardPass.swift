/// The result of a forward pass: the cache (Z_l, A_l for every layer) and the cost.
public struct ForwardPass: Sendable {
    /// Z_1 ... Z_L (index 0 is layer 1).
    public let preActivations: [Matrix]
    /// A_1 ... A_L; A_L is the output layer's probabilities.
    public let activations: [Matrix]
    /// Each example's loss (not divided by m, no regularisation).
    public let exampleLosses: [Double]
    /// Mean loss plus the L2 term.
    public let cost: Double

    public var output: Matrix { activations[activations.count - 1] }
    public var logits: Matrix { preActivations[preActivations.count - 1] }
}

extension Network {
    /// Runs X (n0 x m) through the network and scores the output against Y.
    /// Shapes must already be consistent (see `NetworkBuilder`).
    public func forward(_ x: Matrix, labels y: Matrix) -> ForwardPass {
        var zs: [Matrix] = []
        var activationsOut: [Matrix] = []
        zs.reserveCapacity(depth)
        activationsOut.reserveCapacity(depth)
        var input = x
        for (index, layer) in layers.enumerated() {
            var z = layer.weights.multiplied(by: input)
            for r in 0..<z.rows {
                let b = layer.bias.values[r]
                for c in 0..<z.cols { z.values[r * z.cols + c] += b }
            }
            let isOutput = index == depth - 1
            let a = isOutput ? output.probabilities(z) : Matrix(rows: z.rows, cols: z.cols, values: z.values.map(activation.value))
            zs.append(z)
            activationsOut.append(a)
            input = a
        }
        let m = x.cols
        let logits = zs[depth - 1]
        let losses = (0..<m).map { output.exampleLoss(logits: logits, labels: y, column: $0) }
        return ForwardPass(
            preActivations: zs, activations: activationsOut, exampleLosses: losses,
            cost: cost(exampleLosses: losses, examples: m))
    }

    /// Mean of the example losses plus lambd / (2m) * sum of ||W_l||^2, summed with compensation.
    public func cost(exampleLosses: [Double], examples m: Int) -> Double {
        var data = CompensatedSum()
        for loss in exampleLosses { data.add(loss) }
        var total = data.value / Double(m)
        if lambd != 0 {
            var squares = CompensatedSum()
            for layer in layers { squares.add(layer.weights.sumOfSquares) }
            total += lambd / (2 * Double(m)) * squares.value
        }
        return total
    }
}
