import GradCheck
import TestSupport
import Testing

/// A ReLU unit whose pre-activation sits within epsilon of zero, and tensors whose gradient is
/// exactly zero: neither may turn a correct gradient into a false alarm.
@Suite struct KinkAndZeroTests {
    /// 2 inputs -> 2 ReLU units -> 1 sigmoid. Unit 0's pre-activation for example 0 is 4e-8, so a
    /// +/-1e-7 step of b1[0] switches it off; unit 1 is dead for every example (Z < -1).
    func network(activation: Activation) -> (Network, Matrix, Matrix) {
        let x = Matrix(rows: 2, cols: 3, values: [1, 0.5, -0.3, 0.2, -1, 0.8])
        let w1 = Matrix(rows: 2, cols: 2, values: [0.7, -0.4, 0.1, 0.2])
        // Z1[0, 0] = 0.7 * 1 - 0.4 * 0.2 + b = 0.62 + b
        let b1 = Matrix(rows: 2, cols: 1, values: [-0.62 + 4e-8, -5])
        let w2 = Matrix(rows: 1, cols: 2, values: [1.3, -0.8])
        let net = Network(
            layers: [Layer(weights: w1, bias: b1), Layer(weights: w2, bias: Matrix(rows: 1, cols: 1, values: [0.1]))],
            activation: activation)
        return (net, x, Matrix(rows: 1, cols: 3, values: [1, 0, 1]))
    }

    @Test(arguments: [Activation.relu, .leakyRelu])
    func kinkIsReportedAndCheckedAsASubgradient(_ activation: Activation) {
        let (net, x, y) = network(activation: activation)
        #expect(abs(net.forward(x, labels: y).preActivations[0][0, 0]) < 1e-7)
        let report = GradientChecker().check(net, inputs: x, labels: y)
        #expect(report.passed, "difference \(report.difference)")
        #expect(report.kinkCount > 0)
        let b1 = report.parameters.first { $0.name == "b1" }!
        #expect(b1.kinkCount == 1 && b1.kinkExamples == [EntryIndex(row: 0, col: 0)] && b1.passed)
        #expect(b1.subgradientCount == 1)
        #expect(report.notes.contains { $0.contains("checked as subgradients") })
        #expect(
            b1.kinkNote == "1 entry of b1 crosses a ReLU kink and was checked as a subgradient (between the one-sided quotients): [0][0]")

        // Without the exclusion the straddling quotient would be far off the analytic value.
        let plain = ReferenceEngine().derivatives(
            of: net, inputs: x, labels: y,
            at: [Coordinate(parameter: ParameterID(layer: 1, kind: .bias), row: 0, col: 0)],
            method: .central, step: 1e-7)
        let analytic = net.gradients(inputs: x, labels: y).gradients.tensors[ParameterID(layer: 1, kind: .bias)]![0, 0]
        #expect(plain[0].crossesKink)
        #expect(abs(plain[0].value - analytic) > 1e-3 * abs(analytic))
    }

    @Test func deadUnitGradientsAreZeroAndPass() {
        let (net, x, y) = network(activation: .relu)
        let g = net.gradients(inputs: x, labels: y).gradients
        #expect(g.tensors[ParameterID(layer: 1, kind: .weight)]![1, 0] == 0)
        let report = GradientChecker().check(net, inputs: x, labels: y)
        #expect(report.parameters.allSatisfy { $0.difference.isFinite && $0.passed })
    }

    @Test func allZeroGradientEverywhereIsInconclusive() {
        // A single dead layer before the output: only the output bias has a gradient; make the
        // labels match the output exactly so that even that is zero.
        let net = Network(
            layers: [Layer(weights: Matrix(rows: 1, cols: 1, values: [0]), bias: Matrix(rows: 1, cols: 1))],
            output: .sigmoid)
        let x = Matrix(rows: 1, cols: 2, values: [1, 2])
        let y = Matrix(rows: 1, cols: 2, values: [0.5, 0.5])
        // Nothing above what float64 tells from zero was compared (a change over epsilon that
        // underflows is zero too): each tensor, and so the check, is inconclusive, not passed.
        let report = GradientChecker().check(net, inputs: x, labels: y)
        #expect(report.difference == 0 && !report.passed && report.inconclusive)
        #expect(report.parameters.allSatisfy { $0.difference == 0 && !$0.passed && $0.inconclusive })
        #expect(report.failedParameters.isEmpty)
    }
}

@Suite struct ExtremeGradientTests {
    @Test func hugeCallerGradientsGiveAFiniteDifference() throws {
        let (x, y, _, network) = try Fixtures.notebook()
        var g = network.gradients(inputs: x, labels: y).gradients
        let w2 = ParameterID(layer: 2, kind: .weight)
        g.tensors[w2]!.values = g.tensors[w2]!.values.map { _ in 1e200 }
        let report = GradientChecker().check(network, inputs: x, labels: y, gradients: g)
        #expect(report.difference.isFinite && report.difference > 0.99 && !report.passed)
        #expect(report.failedParameters == ["W2"])
    }
}

@Suite struct MisfitGradientTests {
    @Test func misshapenTensorIsComparedAsZeroAndSaid() throws {
        let (x, y, _, network) = try Fixtures.notebook()
        var g = network.gradients(inputs: x, labels: y).gradients
        g.tensors[ParameterID(layer: 1, kind: .bias)] = Matrix(rows: 1, cols: 1)
        let report = GradientChecker().check(network, inputs: x, labels: y, gradients: g)
        #expect(report.failedParameters == ["b1"])
        #expect(report.notes.contains("db1 was missing or did not match b1's shape (5, 1); it was compared as zero"))
    }
}
