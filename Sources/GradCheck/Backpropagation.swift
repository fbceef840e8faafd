extension Network {
    /// Gradients of `forward`'s cost by backpropagation, for every activation, output and lambd.
    ///
    /// dZ_L = (A_L - Y) / m comes from `OutputLayer.logitGradient` (the loss differentiated with
    /// respect to the logits, so no 1/A_L or 1/(1 - A_L) appears); then for l = L ... 1:
    /// dW_l = dZ_l A_{l-1}^T + (lambd/m) W_l, db_l = row sums of dZ_l,
    /// dA_{l-1} = W_l^T dZ_l, dZ_{l-1} = dA_{l-1} * g'(Z_{l-1}).
    /// Unlike the notebook's `backward_propagation_n`, nothing is doubled or scaled by 4.
    public func backward(_ pass: ForwardPass, inputs x: Matrix, labels y: Matrix, intermediates: Bool = false) -> Gradients {
        let m = Double(x.cols)
        var tensors: [ParameterID: Matrix] = [:]
        var dZs: [Matrix] = []
        var dAs: [Matrix] = []
        var dZ = output.logitGradient(probabilities: pass.output, labels: y)
        for i in 0..<dZ.count { dZ.values[i] /= m }

        for l in stride(from: depth, through: 1, by: -1) {
            let layer = layers[l - 1]
            let previous = l == 1 ? x : pass.activations[l - 2]
            var dW = dZ.multiplied(by: previous.transposed())
            if lambd != 0 {
                let scale = lambd / m
                for i in 0..<dW.count { dW.values[i] += scale * layer.weights.values[i] }
            }
            var db = Matrix(rows: dZ.rows, cols: 1)
            for r in 0..<dZ.rows {
                var sum = CompensatedSum()
                for c in 0..<dZ.cols { sum.add(dZ[r, c]) }
                db.values[r] = sum.value
            }
            tensors[ParameterID(layer: l, kind: .weight)] = dW
            tensors[ParameterID(layer: l, kind: .bias)] = db
            if intermediates { dZs.append(dZ) }
            guard l > 1 else { break }

            let dA = layer.weights.transposed().multiplied(by: dZ)
            if intermediates { dAs.append(dA) }
            let z = pass.preActivations[l - 2]
            var next = dA
            for i in 0..<next.count { next.values[i] *= activation.derivative(z.values[i]) }
            dZ = next
        }
        return Gradients(tensors: tensors, preActivationGradients: dZs.reversed(), activationGradients: dAs.reversed())
    }

    /// Forward then backward: the cost and its gradients at the network's parameters.
    public func gradients(inputs x: Matrix, labels y: Matrix, intermediates: Bool = false) -> (pass: ForwardPass, gradients: Gradients) {
        let pass = forward(x, labels: y)
        return (pass, backward(pass, inputs: x, labels: y, intermediates: intermediates))
    }
}
