@testable import GradCheck

/// The course's backward pass written out step by step, as a student would, with mistakes that
/// can be planted in any step: the test oracle for the diagnosis. Each mistake changes the value
/// the step computes, and everything computed from it afterwards uses the changed value, as in a
/// real buggy backward.
struct CourseBackward {
    enum Mistake {
        /// The step's result times `factor` (1/m forgotten: m; a stray 2: 2; ...).
        case scale(GradientName, Double)
        case transpose(GradientName)
        case zero(GradientName)
        /// dW_l without its L2 term, or with it times `factor`.
        case missingL2(layer: Int)
        case l2Scaled(layer: Int, factor: Double)
        /// db_l + (lambd/m) b_l.
        case l2OnBias(layer: Int)
        /// dZ_l = dA_l * h(Z_l, A_l) instead of g'(Z_l).
        case derivative(layer: Int, (Double, Double) -> Double)
        /// Entries of the step's result replaced by garbage.
        case entries(GradientName, [(Int, Int)])
        /// dZ_L = (A_L - Y) * A_L (1 - A_L): the output's derivative applied on top of A_L - Y.
        case outputDerivativeTwice
        /// dZ_l = dA_l * (dA_l > 0 ? 1 : slope): the mask from dA_l, as np.maximum(0, dA_l) does.
        case maskFromGradient(layer: Int, slope: Double)
        /// db_l = one number in every row: the sum over every entry of dZ_l (/ m), or its mean.
        case biasOverEveryAxis(layer: Int, mean: Bool)
        /// dW_l = dZ_l A_k^T / m: another layer's activations (the shapes must fit).
        case activationsOfLayer(weight: Int, uses: Int)
        /// dA_{l-1} = W_k^T dZ_l: another layer's weights.
        case weightsOfLayer(activation: Int, uses: Int)
        /// dZ_l = dA_l * g'(Z_k): the derivative at another layer's pre-activations.
        case derivativeAtLayer(Int, uses: Int)
    }

    let network: Network
    let x: Matrix
    let y: Matrix
    let convention: GradientConvention
    var mistakes: [Mistake] = []

    /// dW_l, db_l, and every dZ_l, dA_l (dA_0 included), by name.
    func gradients() -> [GradientName: Matrix] {
        let pass = network.forward(x, labels: y)
        let m = Double(x.cols)
        let depth = network.depth
        let divisor = convention == .sum ? m : 1
        var out: [GradientName: Matrix] = [:]
        func activation(_ l: Int) -> Matrix { l == 0 ? x : pass.activations[l - 1] }
        var dZ = pass.output.subtracting(y).scaled(by: convention == .sum ? 1 : 1 / m)
        dZ = planted(GradientName(layer: depth, kind: .preActivation), dZ, layer: depth, pass: pass)
        for l in stride(from: depth, through: 1, by: -1) {
            out[GradientName(layer: l, kind: .preActivation)] = dZ
            let w = network.layers[l - 1].weights
            var dW = dZ.multiplied(by: activation(swap(weight: l) ?? (l - 1)).transposed()).scaled(by: 1 / divisor)
            if network.lambd != 0 { dW = dW.adding(w.scaled(by: network.lambd / m)) }
            out[GradientName(layer: l, kind: .weight)] = planted(GradientName(layer: l, kind: .weight), dW, layer: l, pass: pass)
            let db = dZ.rowSums.scaled(by: 1 / divisor)
            out[GradientName(layer: l, kind: .bias)] = planted(GradientName(layer: l, kind: .bias), db, layer: l, pass: pass)
            let wUsed = swap(activation: l - 1).map { network.layers[$0 - 1].weights } ?? w
            let dA = planted(GradientName(layer: l - 1, kind: .activation), wUsed.transposed().multiplied(by: dZ), layer: l, pass: pass)
            out[GradientName(layer: l - 1, kind: .activation)] = dA
            if l > 1 {
                let z = pass.preActivations[(swap(derivative: l - 1) ?? (l - 1)) - 1]
                let next = dA.combined(with: z) { da, zv in da * network.activation.derivative(zv) }
                dZ = planted(GradientName(layer: l - 1, kind: .preActivation), next, layer: l - 1, pass: pass, dA: dA)
            }
        }
        return out
    }

    /// The layer a planted swap reads instead of the right one, if any.
    private func swap(weight l: Int) -> Int? {
        for case let .activationsOfLayer(weight, uses) in mistakes where weight == l { return uses }
        return nil
    }

    private func swap(activation l: Int) -> Int? {
        for case let .weightsOfLayer(activation, uses) in mistakes where activation == l { return uses }
        return nil
    }

    private func swap(derivative l: Int) -> Int? {
        for case let .derivativeAtLayer(layer, uses) in mistakes where layer == l { return uses }
        return nil
    }

    private func planted(_ name: GradientName, _ value: Matrix, layer l: Int, pass: ForwardPass, dA: Matrix? = nil) -> Matrix {
        var value = value
        let m = Double(x.cols)
        for mistake in mistakes {
            switch mistake {
            case let .scale(target, factor) where target == name: value = value.scaled(by: factor)
            case let .transpose(target) where target == name: value = value.transposed()
            case let .zero(target) where target == name: value = value.scaled(by: 0)
            case let .missingL2(layer) where name == GradientName(layer: layer, kind: .weight):
                value = value.subtracting(network.layers[layer - 1].weights.scaled(by: network.lambd / m))
            case let .l2Scaled(layer, factor) where name == GradientName(layer: layer, kind: .weight):
                value = value.adding(network.layers[layer - 1].weights.scaled(by: (factor - 1) * network.lambd / m))
            case let .l2OnBias(layer) where name == GradientName(layer: layer, kind: .bias):
                value = value.adding(network.layers[layer - 1].bias.scaled(by: network.lambd / m))
            case let .derivative(layer, h) where name == GradientName(layer: layer, kind: .preActivation):
                let z = pass.preActivations[layer - 1]
                let a = pass.activations[layer - 1]
                value = Matrix(
                    rows: value.rows, cols: value.cols, values: (0..<value.count).map { dA!.values[$0] * h(z.values[$0], a.values[$0]) })
            case let .entries(target, indices) where target == name:
                for (r, c) in indices { value[r, c] = value[r, c] * 3 + 0.25 }
            case .outputDerivativeTwice where name == GradientName(layer: network.depth, kind: .preActivation):
                value = value.combined(with: pass.output) { dz, a in dz * a * (1 - a) }
            case let .maskFromGradient(layer, slope) where name == GradientName(layer: layer, kind: .preActivation):
                value = dA!.combined(with: dA!) { da, _ in da > 0 ? da : slope * da }
            case let .biasOverEveryAxis(layer, mean) where name == GradientName(layer: layer, kind: .bias):
                let total = value.values.reduce(0, +) / (mean ? Double(value.count) : 1)
                value = Matrix(rows: value.rows, cols: 1, values: [Double](repeating: total, count: value.rows))
            default: break
            }
        }
        return value
    }
}
