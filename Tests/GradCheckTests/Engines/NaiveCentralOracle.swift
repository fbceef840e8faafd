import TestSupport

@testable import GradCheck

/// The notebook's algorithm, kept deliberately naive as the oracle: for each coordinate, two full
/// forward passes at theta +/- eps, and (J+ - J-) / (2 eps). A coordinate crosses a kink when the
/// ReLU on/off pattern of either perturbed pass differs from the unperturbed one.
struct NaiveCentralOracle {
    let problem: TestProblem

    func derivative(at k: Coordinate, eps: Double) -> NumericalDerivative {
        let base = pattern(problem.network)
        var up = problem.network
        var down = problem.network
        up[k.parameter][k.row, k.col] += eps
        down[k.parameter][k.row, k.col] -= eps
        let jUp = up.forward(problem.x, labels: problem.y).cost
        let jDown = down.forward(problem.x, labels: problem.y).cost
        let crosses = problem.network.activation.hasKinks && (pattern(up) != base || pattern(down) != base)
        return NumericalDerivative(value: (jUp - jDown) / (2 * eps), crossesKink: crosses)
    }

    /// Which hidden units are on (Z > 0), for every example.
    private func pattern(_ network: Network) -> [Bool] {
        let pass = network.forward(problem.x, labels: problem.y)
        return pass.preActivations.dropLast().flatMap { $0.values.map { $0 > 0 } }
    }
}
