import TestSupport
import Testing

@testable import GradCheck

/// Sample and directional modes: coverage, reproducibility by seed, and planted bugs caught.
@Suite struct CheckModeTests {
    let fixture = TestProblem.random(widths: [6, 8, 5, 1], m: 10, activation: .tanh, output: .sigmoid, lambd: 0.1, seed: 7)

    func buggy(_ scale: Double, _ id: ParameterID) -> Gradients {
        var g = fixture.network.gradients(inputs: fixture.x, labels: fixture.y).gradients
        g.tensors[id]!.values = g.tensors[id]!.values.map { $0 * scale }
        return g
    }

    @Test func sampleCoversEveryTensorAndIsReproducible() {
        let network = fixture.network
        let a = CoordinateSampler.sample(of: network, count: 12, seed: 42)
        let b = CoordinateSampler.sample(of: network, count: 12, seed: 42)
        let c = CoordinateSampler.sample(of: network, count: 12, seed: 43)
        #expect(a == b)
        #expect(a != c)
        #expect(a.count == 12)
        #expect(Set(a).count == 12)
        #expect(Set(a.map(\.parameter)) == Set(network.parameterIDs))
        // Too few samples still cover every tensor; too many are capped at the parameter count.
        #expect(Set(CoordinateSampler.sample(of: network, count: 1, seed: 1).map(\.parameter)).count == 6)
        #expect(CoordinateSampler.sample(of: network, count: 10_000, seed: 1).count == network.parameterCount)
    }

    @Test func sampleModeReport() {
        let options = GradientCheckOptions(mode: .sample(count: 12, seed: 42))
        let report = GradientChecker().check(fixture.network, inputs: fixture.x, labels: fixture.y, options: options)
        #expect(report.passed && report.checkedCount == 12 && report.costEvaluations == 24)
        #expect(report.parameters.count == 6 && report.parameters.allSatisfy { $0.checkedCount >= 1 })
        #expect(report.parameters.map(\.checkedCount).reduce(0, +) == 12)
        let again = GradientChecker().check(fixture.network, inputs: fixture.x, labels: fixture.y, options: options)
        #expect(again.difference == report.difference)
    }

    @Test func sampleModeCatchesPlantedBug() {
        let id = ParameterID(layer: 2, kind: .bias)
        let report = GradientChecker().check(
            fixture.network, inputs: fixture.x, labels: fixture.y, gradients: buggy(-1, id),
            options: GradientCheckOptions(mode: .sample(count: 8, seed: 3)))
        #expect(!report.passed)
        #expect(report.failedParameters == ["b2"])
        #expect(report.parameters.first { $0.id == id }?.diagnosis == "db2 has its sign flipped (-1.000 times the numerical gradient)")
    }

    @Test func directionalModePassesCorrectAndCatchesPlantedBug() {
        // ReferenceEngine carries the exact change of the cost along u (1e-16 here); FastEngine's
        // two full forward passes are within rounding of the costs (about 1e-9).
        let options = GradientCheckOptions(mode: .directional(count: 3, seed: 9))
        let good = GradientChecker(engine: ReferenceEngine()).check(fixture.network, inputs: fixture.x, labels: fixture.y, options: options)
        #expect(good.passed && good.difference < 1e-10, "\(good.difference)")
        #expect(good.directions.count == 3 && good.costEvaluations == 6 && good.parameters.isEmpty)
        let again = GradientChecker(engine: ReferenceEngine()).check(
            fixture.network, inputs: fixture.x, labels: fixture.y, options: options)
        #expect(again.directions == good.directions)
        let fast = GradientChecker(engine: FastEngine()).check(fixture.network, inputs: fixture.x, labels: fixture.y, options: options)
        #expect(fast.passed && fast.difference < 1e-8, "\(fast.difference)")
        let bad = GradientChecker().check(
            fixture.network, inputs: fixture.x, labels: fixture.y,
            gradients: buggy(2, ParameterID(layer: 1, kind: .weight)), options: options)
        #expect(!bad.passed && bad.difference > 1e-3)
        #expect(bad.message.hasPrefix("There is a mistake in the backward propagation! difference = "))
    }

    @Test func randomDirectionsAreUnitVectors() {
        var g = SplitMix64(seed: 5)
        let u = GradientChecker.randomUnitDirection(shapedLike: fixture.network, using: &g)
        let norm = u.values.map(\.sumOfSquares).reduce(0, +).squareRoot()
        #expect(abs(norm - 1) < 1e-14)
        #expect(Set(u.keys) == Set(fixture.network.parameterIDs))
    }

    @Test func diagnosesAllZeroAndPartialMismatch() {
        let w1 = ParameterID(layer: 1, kind: .weight)
        let zero = GradientChecker().check(fixture.network, inputs: fixture.x, labels: fixture.y, gradients: buggy(0, w1))
        #expect(zero.parameters.first { $0.id == w1 }?.diagnosis == "dW1 is all zero but the numerical gradient is not")
        var g = fixture.network.gradients(inputs: fixture.x, labels: fixture.y).gradients
        g.tensors[w1]![2, 3] += 0.5
        let one = GradientChecker().check(fixture.network, inputs: fixture.x, labels: fixture.y, gradients: g)
        let w1Report = one.parameters.first { $0.id == w1 }!
        #expect(w1Report.diagnosis == "1 of 48 entries of dW1 disagree with the numerical gradient")
        #expect(w1Report.worst?.index == EntryIndex(row: 2, col: 3))
        #expect(one.failedParameters == ["W1"])
    }

    @Test func complexStepFallsBackOnReferenceEngine() {
        let report = GradientChecker(engine: ReferenceEngine()).check(
            fixture.network, inputs: fixture.x, labels: fixture.y,
            options: GradientCheckOptions(method: .complexStep, epsilon: 1e-7))
        #expect(report.method == .complexStep && report.methodUsed == .central && report.passed)
        #expect(report.notes.first == "complex-step is not available in this engine; central differences were used")
        #expect(GradientCheckOptions(method: .complexStep).epsilon == 1e-20)
    }

    @Test func complexStepRunsOnTheDefaultEngine() {
        let report = GradientChecker().check(
            fixture.network, inputs: fixture.x, labels: fixture.y,
            options: GradientCheckOptions(method: .complexStep))
        #expect(report.methodUsed == .complexStep && report.passed && report.difference < 1e-12, "\(report.difference)")
        #expect(report.costEvaluations == fixture.network.parameterCount)
    }
}
