import GradCheck

/// Forward and backward with the engine's parallel matrix product: the floor a directional check
/// is measured against. A minimal backward lives here so the bench does not wait for the core's;
/// swap in the core's `backward` once it exists.
struct BenchPasses {
    let network: Network
    let threads: Int

    func forward(_ x: Matrix, _ y: Matrix) -> (zs: [Matrix], activations: [Matrix], cost: Double) {
        var zs: [Matrix] = []
        var acts: [Matrix] = [x]
        var input = x
        for (index, layer) in network.layers.enumerated() {
            var z = layer.weights.multiplied(by: input, threads: threads)
            for r in 0..<z.rows {
                let b = layer.bias.values[r]
                for c in 0..<z.cols { z.values[r * z.cols + c] += b }
            }
            let a =
                index == network.depth - 1
                ? network.output.probabilities(z)
                : Matrix(rows: z.rows, cols: z.cols, values: z.values.map(network.activation.value))
            zs.append(z)
            acts.append(a)
            input = a
        }
        let logits = zs[zs.count - 1]
        let losses = (0..<x.cols).map { network.output.exampleLoss(logits: logits, labels: y, column: $0) }
        return (zs, acts, network.cost(exampleLosses: losses, examples: x.cols))
    }

    /// dJ/dW_l and dJ/db_l, notebook order.
    func backward(_ x: Matrix, _ y: Matrix, zs: [Matrix], activations: [Matrix]) -> [ParameterID: Matrix] {
        let m = Double(x.cols)
        var grads: [ParameterID: Matrix] = [:]
        var dz = network.output.logitGradient(probabilities: activations[activations.count - 1], labels: y)
        for l in stride(from: network.depth, through: 1, by: -1) {
            var dw = dz.multiplied(by: activations[l - 1].transposed(), threads: threads)
            for k in 0..<dw.count { dw.values[k] /= m }
            if network.lambd != 0 {
                let w = network.layers[l - 1].weights
                for k in 0..<dw.count { dw.values[k] += network.lambd / m * w.values[k] }
            }
            var db = Matrix(rows: dz.rows, cols: 1)
            for r in 0..<dz.rows {
                var s = 0.0
                for c in 0..<dz.cols { s += dz.values[r * dz.cols + c] }
                db.values[r] = s / m
            }
            grads[ParameterID(layer: l, kind: .weight)] = dw
            grads[ParameterID(layer: l, kind: .bias)] = db
            if l > 1 {
                var da = network.layers[l - 1].weights.transposed().multiplied(by: dz, threads: threads)
                let z = zs[l - 2]
                for k in 0..<da.count { da.values[k] *= network.activation.derivative(z.values[k]) }
                dz = da
            }
        }
        return grads
    }
}
