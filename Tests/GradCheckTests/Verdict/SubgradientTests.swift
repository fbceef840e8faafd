import Testing

@testable import GradCheck

/// At a kink the check does not look away: the analytic value must lie between the one-sided
/// difference quotients, like any valid subgradient, and anything else fails.
@Suite struct SubgradientTests {
    /// 1 input -> 2 ReLU units -> 1 sigmoid; unit 0's pre-activation is exactly 0 for example 0.
    static func network() -> (Network, Matrix, Matrix) {
        let x = Matrix(rows: 1, cols: 3, values: [1, -1, 2])
        let w1 = Matrix(rows: 2, cols: 1, values: [1, 0.5])
        let b1 = Matrix(rows: 2, cols: 1, values: [-1, 0.25])
        let w2 = Matrix(rows: 1, cols: 2, values: [1.5, -0.7])
        let b2 = Matrix(rows: 1, cols: 1, values: [0.2])
        let network = Network(layers: [Layer(weights: w1, bias: b1), Layer(weights: w2, bias: b2)])
        return (network, x, Matrix(rows: 1, cols: 3, values: [1, 0, 1]))
    }

    static let b1 = ParameterID(layer: 1, kind: .bias)

    @Test func eitherOneSidedValuePassesAndAValueOutsideFails() throws {
        let (network, x, y) = Self.network()
        #expect(network.forward(x, labels: y).preActivations[0][0, 0] == 0)
        let kink = FastEngine(threads: 1).derivatives(
            of: network, inputs: x, labels: y,
            at: [Coordinate(parameter: Self.b1, row: 0, col: 0)], method: .central, step: 1e-7)[0]
        let sides = try #require(kink.oneSided)
        #expect(kink.crossesKink && abs(sides.right - sides.left) > 0.05, "\(sides)")
        let own = network.gradients(inputs: x, labels: y).gradients
        let checker = GradientChecker(engine: FastEngine(threads: 1))
        func verdict(db1: Double) -> (passed: Bool, b1Passed: Bool, subgradients: Int) {
            var gradients = own
            gradients.tensors[Self.b1]![0, 0] = db1
            let report = checker.check(network, inputs: x, labels: y, gradients: gradients)
            let b1 = report.parameters.first { $0.id == Self.b1 }!
            return (report.passed, b1.passed, b1.subgradientCount)
        }
        for valid in [sides.left, sides.right, (sides.left + sides.right) / 2] {
            let result = verdict(db1: valid)
            #expect(result.passed && result.b1Passed, "db1[0] = \(valid) lies between \(sides.left) and \(sides.right)")
            #expect(result.subgradients == 1)
        }
        let jump = abs(sides.right - sides.left)
        for invalid in [max(sides.left, sides.right) + jump, min(sides.left, sides.right) - 0.5 * jump, 0.0 == sides.left ? -1 : 0] {
            let result = verdict(db1: invalid)
            #expect(!result.passed && !result.b1Passed, "db1[0] = \(invalid) is outside \(sides.left)...\(sides.right)")
        }
    }
}
