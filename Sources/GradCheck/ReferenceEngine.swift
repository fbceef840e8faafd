/// The straightforward numerical gradient: for each coordinate, the cost of the whole network at
/// theta + eps and theta - eps, one coordinate at a time, on one core.
///
/// It is the oracle the fast engine is compared against, so it favours clarity over speed, but it
/// still skips the layers a perturbation cannot reach (everything before the perturbed layer is
/// the base pass) and, by default, computes cost *changes* exactly (see `CostChange`) so that
/// correct gradients pass the notebook's own 1e-7 threshold.
///
/// Complex step: this engine has no complex arithmetic. Asked for `.complexStep`, it answers
/// with central differences (`supports(.complexStep)` is false, so `GradientChecker` reports the
/// method it actually used). The complex-step engine lives in `Engines/`.
public struct ReferenceEngine: NumericalGradientEngine {
    public enum Strategy: Sendable {
        /// J(theta +/- eps) - J(theta) carried through the network as exact changes (default).
        case exactChanges
        /// The notebook's algorithm: two full forward passes, (J+ - J-) / (2 eps). Kept to show
        /// (and test) the rounding noise the default strategy removes.
        case notebook
    }

    public let strategy: Strategy

    public init(strategy: Strategy = .exactChanges) {
        self.strategy = strategy
    }

    public func supports(_ method: DifferenceMethod) -> Bool { method == .central }

    public func derivatives(
        of network: Network, inputs x: Matrix, labels y: Matrix,
        at coordinates: [Coordinate], method: DifferenceMethod, step: Double
    ) -> [NumericalDerivative] {
        let base = network.forward(x, labels: y)
        switch strategy {
        case .exactChanges:
            let changes = CostChange(network: network, x: x, y: y, base: base)
            return coordinates.map { coordinate in
                centralQuotient(changes.change(at: coordinate, by: step), changes.change(at: coordinate, by: -step), step: step)
            }
        case .notebook:
            return coordinates.map { coordinate in
                var plusNetwork = network
                var minusNetwork = network
                plusNetwork[coordinate.parameter][coordinate.row, coordinate.col] += step
                minusNetwork[coordinate.parameter][coordinate.row, coordinate.col] -= step
                return notebookDifference(network, plusNetwork, minusNetwork, base: base, x: x, y: y, step: step)
            }
        }
    }

    public func directionalDerivative(
        of network: Network, inputs x: Matrix, labels y: Matrix,
        along direction: [ParameterID: Matrix], method: DifferenceMethod, step: Double
    ) -> NumericalDerivative {
        let base = network.forward(x, labels: y)
        switch strategy {
        case .exactChanges:
            let changes = CostChange(network: network, x: x, y: y, base: base)
            return centralQuotient(changes.change(along: direction, by: step), changes.change(along: direction, by: -step), step: step)
        case .notebook:
            var plusNetwork = network
            var minusNetwork = network
            for (id, u) in direction {
                for i in 0..<u.count {
                    plusNetwork[id].values[i] += step * u.values[i]
                    minusNetwork[id].values[i] -= step * u.values[i]
                }
            }
            return notebookDifference(network, plusNetwork, minusNetwork, base: base, x: x, y: y, step: step)
        }
    }

    /// (J(theta + step) - J(theta - step)) / (2 step) from the two exact cost changes; a kink when
    /// either step switches a unit.
    private func centralQuotient(_ plus: CostChange.Result, _ minus: CostChange.Result, step: Double) -> NumericalDerivative {
        NumericalDerivative(value: (plus.change - minus.change) / (2 * step), crossesKink: plus.crossesKink || minus.crossesKink)
    }

    private func notebookDifference(
        _ network: Network, _ plusNetwork: Network, _ minusNetwork: Network,
        base: ForwardPass, x: Matrix, y: Matrix, step: Double
    ) -> NumericalDerivative {
        let plus = plusNetwork.forward(x, labels: y)
        let minus = minusNetwork.forward(x, labels: y)
        var kink = false
        if network.activation.hasKinks {
            for l in 0..<(network.depth - 1) {
                let z = base.preActivations[l].values
                let zp = plus.preActivations[l].values
                let zm = minus.preActivations[l].values
                for i in 0..<z.count where (z[i] > 0) != (zp[i] > 0) || (z[i] > 0) != (zm[i] > 0) { kink = true }
            }
        }
        return NumericalDerivative(value: (plus.cost - minus.cost) / (2 * step), crossesKink: kink)
    }
}
