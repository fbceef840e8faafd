/// Complex-step by the book: for each coordinate, a full forward pass in complex arithmetic at
/// theta + i h e_k, and Im J / h. Slow (one complex forward pass per coordinate) and kept as the
/// oracle `FastEngine`'s complex-step is tested against. Kinks are not detected here.
public struct ComplexStepReferenceEngine: NumericalGradientEngine {
    public init() {}

    public func derivatives(
        of network: Network, inputs x: Matrix, labels y: Matrix,
        at coordinates: [Coordinate], method: DifferenceMethod, step: Double
    ) -> [NumericalDerivative] {
        precondition(method == .complexStep, "ComplexStepReferenceEngine does complex-step only")
        return coordinates.map { k in
            var imaginary: [ParameterID: [Complex]] = [:]
            let p = network[k.parameter]
            var values = p.values.map { Complex($0) }
            values[k.row * p.cols + k.col].im = step
            imaginary[k.parameter] = values
            return NumericalDerivative(value: complexCost(network, x, y, imaginary).im / step, crossesKink: false)
        }
    }

    public func directionalDerivative(
        of network: Network, inputs x: Matrix, labels y: Matrix,
        along direction: [ParameterID: Matrix], method: DifferenceMethod, step: Double
    ) -> NumericalDerivative {
        precondition(method == .complexStep, "ComplexStepReferenceEngine does complex-step only")
        var imaginary: [ParameterID: [Complex]] = [:]
        for (id, u) in direction {
            imaginary[id] = zip(network[id].values, u.values).map { Complex($0, step * $1) }
        }
        return NumericalDerivative(value: complexCost(network, x, y, imaginary).im / step, crossesKink: false)
    }

    /// J at the parameters of `network`, with the tensors in `overrides` replaced by complex ones.
    func complexCost(_ network: Network, _ x: Matrix, _ y: Matrix, _ overrides: [ParameterID: [Complex]]) -> Complex {
        let m = x.cols
        func tensor(_ id: ParameterID) -> [Complex] { overrides[id] ?? network[id].values.map { Complex($0) } }
        var a = x.values.map { Complex($0) }
        var rowsIn = x.rows
        var z: [Complex] = []
        for (index, layer) in network.layers.enumerated() {
            let l = index + 1
            let w = tensor(ParameterID(layer: l, kind: .weight))
            let b = tensor(ParameterID(layer: l, kind: .bias))
            let n = layer.weights.rows
            z = [Complex](repeating: Complex(0), count: n * m)
            for r in 0..<n {
                for c in 0..<m {
                    var s = b[r]
                    for k in 0..<rowsIn { s += w[r * rowsIn + k] * a[k * m + c] }
                    z[r * m + c] = s
                }
            }
            if l < network.depth { a = z.map { network.activation.value($0) } }
            rowsIn = n
        }
        var total = Complex(0)
        let nL = rowsIn
        for c in 0..<m {
            switch network.output {
            case .sigmoid:
                for r in 0..<nL { total += Complex.softplus(z[r * m + c]) - y[r, c] * z[r * m + c] }
            case .softmax:
                var maxRe = -Double.infinity
                for r in 0..<nL { maxRe = max(maxRe, z[r * m + c].re) }
                var sum = Complex(0)
                var labelSum = 0.0
                var linear = Complex(0)
                for r in 0..<nL {
                    sum += Complex.exp(z[r * m + c] - Complex(maxRe))
                    labelSum += y[r, c]
                    linear += y[r, c] * z[r * m + c]
                }
                total += labelSum * (Complex(maxRe) + Complex.log(sum)) - linear
            }
        }
        var cost = (1 / Double(m)) * total
        if network.lambd != 0 {
            var squares = Complex(0)
            for id in network.parameterIDs where id.kind == .weight {
                for v in tensor(id) { squares += v * v }
            }
            cost += (network.lambd / (2 * Double(m))) * squares
        }
        return cost
    }
}
