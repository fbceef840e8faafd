import GradCheck
import Testing

/// A network check: the own backward passes, and a slip in one layer is its root cause while the
/// layers before it (in the backward's order) are wrong only because of it.
@Suite struct LayerNetworkCheckerTests {
    static func random(_ shape: [Int], seed: UInt64, scale: Double = 1) -> Tensor {
        var generator = SplitMix64(seed: seed)
        return Tensor(shape: shape, values: (0..<Tensor.count(of: shape)).map { _ in scale * generator.nextGaussian() })
    }

    static let network = LayerNetwork(
        layers: [
            NetworkLayer(
                name: "fc1", type: "affine", function: AffineLayer(), params: ["w": random([3, 5], seed: 1), "b": random([5], seed: 2)]),
            NetworkLayer(name: "relu1", type: "relu", function: ElementwiseLayer(.relu), params: [:]),
            NetworkLayer(
                name: "fc2", type: "affine", function: AffineLayer(), params: ["w": random([5, 1], seed: 3), "b": random([1], seed: 4)]),
        ],
        loss: SigmoidLossLayer(), lossInputs: ["y": Tensor(shape: [4, 1], values: [0, 1, 1, 0])], reg: 0.1,
        x: random([4, 3], seed: 5))

    func check(_ gradients: [String: [String: Tensor]]?) throws -> LayerCheckReport {
        try LayerNetworkChecker.check(Self.network, gradients: gradients, epsilon: 1e-7, threshold: 1e-7, stop: .none)
    }

    @Test func ownBackwardPasses() throws {
        let report = try check(nil)
        #expect(report.passed, "\(report.message)")
        #expect(report.gradients.map(\.name) == ["fc1.dw", "fc1.db", "fc2.dw", "fc2.db"])
    }

    @Test func sentRightGradientsWithIntermediatesPass() throws {
        let report = try check(Self.network.backward().gradients)
        #expect(report.passed, "\(report.message)")
        #expect(report.gradients.map(\.name).contains("relu1.dx"))
    }

    @Test func aSlipInTheLastLayerIsTheRootCauseAndSpoilsTheEarlierOnes() throws {
        var gradients = Self.network.backward().gradients
        // fc2's dx from dout @ w (no transpose needed for a 1-column w... scale it instead).
        gradients["fc2"]!["dx"] = 2 * gradients["fc2"]!["dx"]!
        gradients["relu1"]!["dx"] = 2 * gradients["relu1"]!["dx"]!
        gradients["fc1"]!["dx"] = 2 * gradients["fc1"]!["dx"]!
        gradients["fc1"]!["db"] = 2 * gradients["fc1"]!["db"]!
        let report = try check(gradients)
        #expect(!report.passed)
        #expect(report.rootCauses.map(\.gradient) == ["fc2.dx"])
        #expect(report.rootCauses.first?.kind == .scaled)
        #expect(report.propagated.contains("relu1.dx"))
        #expect(report.propagated.contains("fc1.db"))
    }

    @Test func missingL2IsSeenAsWrongInTheRightLayer() throws {
        var gradients = Self.network.backward().gradients
        gradients["fc1"]!["dw"] = gradients["fc1"]!["dw"]! + (-0.1 * Self.network.layers[0].params["w"]!)
        let report = try check(gradients)
        #expect(report.failed == ["fc1.dw"])
        #expect(report.rootCauses.map(\.gradient) == ["fc1.dw"])
        #expect(report.rootCauses.first?.kind == .missingL2)
    }
}
