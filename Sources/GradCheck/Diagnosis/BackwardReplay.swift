/// The course's backward pass, one step at a time, so each step of the caller's can be replayed
/// from the caller's own inputs: per layer l from L down to 1, dZ_l (from dA_l, or from the loss
/// at L), dW_l and db_l (from dZ_l), dA_{l-1} (from W_l and dZ_l). The reference values come from
/// the service's own backward (exact to rounding) in the caller's convention.
struct BackwardReplay {
    let network: Network
    let inputs: Matrix
    let pass: ForwardPass
    /// The service's backward with intermediates: the mean convention.
    let reference: Gradients
    let convention: GradientConvention
    /// Everything the caller sent: dW_l, db_l and any dZ_l, dA_l.
    let caller: [GradientName: Matrix]

    var m: Int { inputs.cols }
    var depth: Int { network.depth }

    /// A_l (A_0 is X).
    func activation(_ l: Int) -> Matrix { l == 0 ? inputs : pass.activations[l - 1] }

    /// (lambd / m) W_l: the L2 term of dW_l (nil without regularisation).
    func l2Term(layer l: Int) -> Matrix? {
        guard network.lambd != 0 else { return nil }
        return network.layers[l - 1].weights.scaled(by: network.lambd / Double(m))
    }

    /// (lambd / m) b_l: what `l2_on_bias` adds to db_l.
    func l2OnBias(layer l: Int) -> Matrix? {
        guard network.lambd != 0 else { return nil }
        return network.layers[l - 1].bias.scaled(by: network.lambd / Double(m))
    }

    /// The right value of `name` in the caller's convention.
    func truth(_ name: GradientName) -> Matrix {
        let scale = convention.intermediateScale(examples: m)
        let l = name.layer
        switch name.kind {
        case .weight, .bias:
            return reference.tensors[name.parameter!]!
        case .preActivation:
            return reference.preActivationGradients[l - 1].scaled(by: scale)
        case .activation where l == 0:
            return network.layers[0].weights.transposed().multiplied(by: reference.preActivationGradients[0]).scaled(by: scale)
        case .activation where l == depth:
            // dLoss/dA_L = dLoss/dZ_L / sigma'(Z_L) for a sigmoid output.
            let a = activation(depth)
            return reference.preActivationGradients[depth - 1].combined(with: a) { dz, p in dz / (p * (1 - p)) }.scaled(by: scale)
        case .activation:
            return reference.activationGradients[l - 1].scaled(by: scale)
        }
    }

    /// The gradients `name` is computed from (empty when it comes from the loss alone).
    func inputs(of name: GradientName) -> [GradientName] {
        let l = name.layer
        switch name.kind {
        case .preActivation where l == depth:
            let dAL = GradientName(layer: depth, kind: .activation)
            return caller[dAL] != nil ? [dAL] : []
        case .preActivation: return [GradientName(layer: l, kind: .activation)]
        case .weight, .bias: return [GradientName(layer: l, kind: .preActivation)]
        case .activation where l == depth: return []
        case .activation: return [GradientName(layer: l + 1, kind: .preActivation)]
        }
    }

    /// The caller's value when they sent it, else the right one.
    func used(_ name: GradientName) -> Matrix { caller[name] ?? truth(name) }

    /// What the step that computes `name` gives from `input` (the value of its one input).
    func step(_ name: GradientName, from input: Matrix?) -> Matrix {
        let l = name.layer
        let divisor = convention.parameterDivisor(examples: m)
        switch name.kind {
        case .preActivation where l == depth:
            guard let dAL = input else { return truth(name) }
            return dAL.combined(with: activation(depth)) { da, p in da * p * (1 - p) }
        case .preActivation:
            let z = pass.preActivations[l - 1]
            return input!.combined(with: z) { da, zv in da * network.activation.derivative(zv) }
        case .weight:
            let data = input!.multiplied(by: activation(l - 1).transposed()).scaled(by: 1 / divisor)
            return l2Term(layer: l).map { data.adding($0) } ?? data
        case .bias:
            return input!.rowSums.scaled(by: 1 / divisor)
        case .activation where l == depth:
            return truth(name)
        case .activation:
            return network.layers[l].weights.transposed().multiplied(by: input!)
        }
    }

    /// The step replayed from the caller's inputs (the right ones for inputs not sent).
    func expected(_ name: GradientName) -> Matrix {
        step(name, from: inputs(of: name).first.map(used))
    }
}

extension Matrix {
    func scaled(by factor: Double) -> Matrix {
        Matrix(rows: rows, cols: cols, values: values.map { $0 * factor })
    }

    func adding(_ other: Matrix) -> Matrix {
        combined(with: other, +)
    }

    func subtracting(_ other: Matrix) -> Matrix {
        combined(with: other, -)
    }

    /// Entry by entry; `other` must have the same shape.
    func combined(with other: Matrix, _ operation: (Double, Double) -> Double) -> Matrix {
        Matrix(rows: rows, cols: cols, values: zip(values, other.values).map(operation))
    }

    /// The n x 1 column of row sums, with compensation.
    var rowSums: Matrix {
        Matrix(
            rows: rows, cols: 1,
            values: (0..<rows).map { r in
                var sum = CompensatedSum()
                for c in 0..<cols { sum.add(values[r * cols + c]) }
                return sum.value
            })
    }
}
