import TestSupport
import Testing

@testable import GradCheck

/// The notebook's network against its expected gradients, and kink detection on networks built
/// to have a pre-activation within epsilon of zero.
@Suite struct NotebookAndKinkTests {
    private func expectedGradients(_ key: String? = nil) throws -> [String: Any] {
        let root = try Fixtures.json("notebook-expected.json")
        if let key { return (root[key] as! [String: Any])["gradients"] as! [String: Any] }
        return root["gradients"] as! [String: Any]
    }

    /// Gradients flattened in the notebook's order, next to the engine's numerical ones.
    private func compare(method: DifferenceMethod, step: Double, gradients: [String: Any]) throws -> Double {
        let p = try TestProblem.notebook()
        let coords = EngineTestSupport.allCoordinates(p.network)
        let numeric = FastEngine().derivatives(of: p.network, inputs: p.x, labels: p.y, at: coords, method: method, step: step)
        let analytic = coords.map { k in Fixtures.matrix(gradients[k.parameter.gradientName]!)[k.row, k.col] }
        #expect(!numeric.contains { $0.crossesKink }, "the notebook case has no pre-activation near 0")
        return EngineTestSupport.difference(analytic, numeric.map(\.value))
    }

    @Test func centralOnNotebookIsFarBelowTheNotebooksRoundingNoise() throws {
        // The notebook's own two-full-costs subtraction gets 1.19e-7 here; the incremental form
        // has no cancellation, so only the eps^2 truncation is left.
        let d = try compare(method: .central, step: 1e-7, gradients: try expectedGradients())
        #expect(d < 1e-9, "difference \(d)")
    }

    @Test func complexStepOnNotebookIsExactToRounding() throws {
        let d = try compare(method: .complexStep, step: 1e-20, gradients: try expectedGradients())
        #expect(d < 1e-12, "difference \(d)")
    }

    @Test func complexStepStillCatchesTheNotebooksBugs() throws {
        let d = try compare(method: .complexStep, step: 1e-20, gradients: try expectedGradients("notebook_buggy_gradients"))
        #expect(abs(d - 0.2850931567761623) < 1e-8, "difference \(d)")
    }

    /// A ReLU network where unit `unit` of `layer` sits at `offset` above zero for example 0.
    private func nearKink(layer: Int, unit: Int, offset: Double, activation: Activation) -> TestProblem {
        var p = TestProblem.random(widths: [4, 5, 4, 1], m: 6, activation: activation, output: .sigmoid, lambd: 0, seed: 99)
        let z = p.network.forward(p.x, labels: p.y).preActivations[layer - 1]
        p.network.layers[layer - 1].bias.values[unit] += offset - z[unit, 0]
        return p
    }

    @Test(arguments: [Activation.relu, .leakyRelu])
    func preActivationWithinEpsilonOfZeroIsAKink(_ activation: Activation) {
        let eps = 1e-7
        for (layer, unit) in [(1, 2), (2, 1)] {
            let p = nearKink(layer: layer, unit: unit, offset: 3e-8, activation: activation)
            let coords = EngineTestSupport.allCoordinates(p.network)
            let oracle = NaiveCentralOracle(problem: p)
            let central = FastEngine().derivatives(of: p.network, inputs: p.x, labels: p.y, at: coords, method: .central, step: eps)
            let complex = FastEngine().derivatives(of: p.network, inputs: p.x, labels: p.y, at: coords, method: .complexStep, step: 1e-20)
            let bias = coords.firstIndex(of: Coordinate(parameter: ParameterID(layer: layer, kind: .bias), row: unit, col: 0))!
            #expect(central[bias].crossesKink, "b\(layer)[\(unit)] moves Z across 0")
            #expect(complex[bias].crossesKink, "complex-step flags it too")
            var flagged = 0
            for (k, coord) in coords.enumerated() {
                let expected = oracle.derivative(at: coord, eps: eps)
                #expect(central[k].crossesKink == expected.crossesKink, "\(coord)")
                // Complex-step's probe is the same +-1e-7 perturbation.
                #expect(complex[k].crossesKink == expected.crossesKink, "\(coord) complex")
                if expected.crossesKink { flagged += 1 }
            }
            // Only coordinates that reach the unit can cross its kink: never all of them.
            #expect(flagged > 0 && flagged < coords.count)
        }
    }

    @Test func preActivationExactlyZeroIsAKinkForComplexStep() {
        // Example 0 all zeros and b1[0] = 0 make Z1[0, 0] exactly 0 in any summation order.
        var p = TestProblem.random(widths: [4, 5, 4, 1], m: 6, activation: .relu, output: .sigmoid, lambd: 0, seed: 99)
        for r in 0..<4 { p.x[r, 0] = 0 }
        p.network.layers[0].bias.values[0] = 0
        let coords = [
            Coordinate(parameter: ParameterID(layer: 1, kind: .bias), row: 0, col: 0),
            Coordinate(parameter: ParameterID(layer: 1, kind: .bias), row: 1, col: 0),
        ]
        let complex = FastEngine().derivatives(of: p.network, inputs: p.x, labels: p.y, at: coords, method: .complexStep, step: 1e-20)
        let reference = ComplexStepReferenceEngine().derivatives(
            of: p.network, inputs: p.x, labels: p.y, at: coords, method: .complexStep, step: 1e-20)
        #expect(complex[0].crossesKink)
        // Branching on the real part: the value is still the complex-step one (left slope at 0).
        #expect(abs(complex[0].value - reference[0].value) <= 1e-13 * max(1, abs(reference[0].value)))
    }
}
