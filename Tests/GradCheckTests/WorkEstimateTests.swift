import Testing
import GradCheck

@Suite struct WorkEstimateTests {
    @Test func notebookNetworkEstimate() throws {
        let (_, _, _, network) = try Fixtures.notebook()
        let full = WorkEstimate(network: network, examples: 3, options: GradientCheckOptions())
        // Forward: (20 + 15 + 3) weights * 3 examples.
        #expect(full.forwardMultiplyAdds == 114)
        // Layer 3 params (4) redo layer 3 (9); layer 2 (18) redo 2-3 (54); layer 1 (25) redo all (114).
        let expected: Double = 2 * (4 * 9 + 18 * 54 + 25 * 114) + 3 * 114  // 8058
        #expect(full.multiplyAdds == expected)
        #expect(full.comparisons == 47 && full.costEvaluations == 94)
        let directional = WorkEstimate(network: network, examples: 3, options: GradientCheckOptions(mode: .directional(count: 2, seed: 0)))
        let expectedDirectional: Double = 2 * 2 * 114 + 3 * 114
        #expect(directional.multiplyAdds == expectedDirectional)
        #expect(directional.multiplyAdds < full.multiplyAdds)
    }

    @Test func largeNetworkIsRefusedWithAdvice() {
        let sizes = [1024, 512, 256, 1]
        let layers = (1..<sizes.count).map { Layer(weights: Matrix(rows: sizes[$0], cols: sizes[$0 - 1]), bias: Matrix(rows: sizes[$0], cols: 1)) }
        let network = Network(layers: layers)
        let estimate = WorkEstimate(network: network, examples: 512, options: GradientCheckOptions())
        #expect(estimate.exceeds(budget: 1e12))
        let message = estimate.refusal(budget: 1e12)
        #expect(message.contains("multiply-adds") && message.contains("sample") && message.contains("directional"))
        #expect(message.contains("656385 coordinates"))
        let sampled = WorkEstimate(network: network, examples: 512, options: GradientCheckOptions(mode: .sample(count: 100, seed: 1)))
        #expect(!sampled.exceeds(budget: 1e12))
    }
}
