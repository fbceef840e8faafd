import GradCheck
import TestSupport
import Testing

/// The 6,091-parameter ReLU network (100-50-20-1, m = 64): correct gradients pass a
/// full check at the notebook's settings, and the report says how long it took.
@Suite struct MidSizeNetworkTests {
    @Test func fullCheckPassesOnSixThousandParameters() throws {
        let d = try Fixtures.json("100-50-20-1_m64.json")
        let x = Fixtures.matrix(d["X"]!)
        let y = Fixtures.matrix(d["Y"]!)
        let network = try NetworkBuilder.network(parameters: Fixtures.parameters(d["parameters"]!), inputs: x, labels: y)
        #expect(network.parameterCount == 6091)
        let report = GradientChecker().check(network, inputs: x, labels: y)
        print("100-50-20-1 m64 full check: difference \(report.difference), kinks \(report.kinkCount), \(report.elapsedSeconds) s")
        #expect(report.passed && report.difference < 1e-12)
        #expect(report.costEvaluations == 2 * 6091 && report.elapsedSeconds > 0)
    }
}
