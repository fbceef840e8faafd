import GradCheck
import Testing

/// makemore's MLP: embedding, affine, batch norm (ddof 1), tanh, affine, cross-entropy. The first
/// affine's bias sits before the batch norm, which takes its effect away: its true gradient is
/// zero, and what a backward computes for it is rounding. On its own scale that gradient is
/// noise: it is inconclusive (never passed), and the answer says so and what to do (leave it
/// out); without it the right network passes, and a bias gradient above the noise fails.
@Suite struct BiasBeforeBatchNormTests {
    static func random(_ shape: [Int], seed: UInt64, scale: Double = 1) -> Tensor {
        LayerNetworkCheckerTests.random(shape, seed: seed, scale: scale)
    }

    static let (n, t, v, d, h) = (8, 3, 10, 4, 6)

    static let network = LayerNetwork(
        layers: [
            NetworkLayer(name: "emb", type: "word_embedding", function: WordEmbeddingLayer(), params: ["W": random([v, d], seed: 1)]),
            NetworkLayer(
                name: "fc1", type: "affine", function: AffineLayer(),
                params: ["w": random([t * d, h], seed: 2, scale: 0.3), "b": random([h], seed: 3, scale: 0.1)]),
            NetworkLayer(
                name: "bn", type: "batchnorm", function: BatchNormLayer(eps: 1e-5, ddof: 1),
                params: ["gamma": random([1, h], seed: 4), "beta": random([1, h], seed: 5)]),
            NetworkLayer(name: "act", type: "tanh", function: ElementwiseLayer(.tanh), params: [:]),
            NetworkLayer(
                name: "fc2", type: "affine", function: AffineLayer(),
                params: ["w": random([h, v], seed: 6, scale: 0.3), "b": random([v], seed: 7, scale: 0.1)]),
        ],
        loss: SoftmaxLossLayer(), lossInputs: ["y": Tensor(shape: [n], values: [1, 4, 2, 9, 0, 3, 3, 7])], reg: 0,
        x: Tensor(shape: [n, t], values: (0..<(n * t)).map { Double(($0 * 7 + 3) % v) }))

    func check(_ gradients: [String: [String: Tensor]]?) throws -> LayerCheckReport {
        try LayerNetworkChecker.check(Self.network, gradients: gradients, epsilon: 1e-6, threshold: 1e-7, stop: .none)
    }

    @Test func theBiasIsZeroWithinRoundingAndTheRestPasses() throws {
        let report = try check(nil)
        #expect(!report.passed && report.inconclusive, "\(report.message)")
        let bias = try #require(report.gradients.first { $0.name == "fc1.db" })
        #expect(!bias.passed && bias.inconclusive && bias.zeroWithinRounding)
        #expect(report.message.contains("fc1.db is zero to within rounding"), "\(report.message)")
        #expect(report.notes.contains { $0.hasPrefix("fc1.db is zero to within rounding") }, "\(report.notes)")
        // Every other gradient is judged on its own scale, and passes.
        #expect(report.gradients.filter { !$0.passed }.map(\.name) == ["fc1.db"])
        // Without the bias's gradient, the rest is a verdict: passed.
        var gradients = Self.network.backward().gradients
        gradients["fc1"]!["db"] = nil
        let rest = try check(gradients)
        #expect(rest.passed, "\(rest.message)")
    }

    @Test func aBiasGradientAboveTheNoiseFails() throws {
        var gradients = Self.network.backward().gradients
        gradients["fc1"]!["db"]!.values[2] += 1e-4
        let report = try check(gradients)
        #expect(!report.passed && !report.inconclusive)
        #expect(report.failed.contains("fc1.db"), "\(report.failed)")
    }
}
