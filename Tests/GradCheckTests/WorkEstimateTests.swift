import GradCheck
import TestSupport
import Testing

@Suite struct WorkEstimateTests {
    static func network(_ sizes: [Int], activation: Activation = .relu) -> Network {
        let layers = (1..<sizes.count).map {
            Layer(weights: Matrix(rows: sizes[$0], cols: sizes[$0 - 1]), bias: Matrix(rows: sizes[$0], cols: 1))
        }
        return Network(layers: layers, activation: activation)
    }

    @Test func notebookNetworkEstimate() throws {
        let (_, _, _, network) = try Fixtures.notebook()
        // Forward: 2 * (20 + 15 + 3) weights * 3 examples.
        #expect(WorkEstimate.forwardOperations(of: network, examples: 3) == 228)
        let full = WorkEstimate(network: network, examples: 3, options: GradientCheckOptions())
        #expect(full.comparisons == 47 && full.costEvaluations == 94)
        let directional = WorkEstimate(network: network, examples: 3, options: GradientCheckOptions(mode: .directional(count: 2, seed: 0)))
        #expect(directional.comparisons == 2 && directional.costEvaluations == 4)
        #expect(directional.operations < full.operations)
        let sample = WorkEstimate(network: network, examples: 3, options: GradientCheckOptions(mode: .sample(count: 10, seed: 0)))
        #expect(sample.comparisons == 10)
        #expect(sample.operations < full.operations)
    }

    @Test func aMidSizedNetworkOf656kParametersFitsTheDefaultBudgetWithReLUAndTanh() {
        // 656,385 parameters, m = 512: the ReLU path takes seconds, and so does tanh through the
        // per-row loss expansion.
        let relu = WorkEstimate(network: Self.network([1024, 512, 256, 1]), examples: 512, options: GradientCheckOptions())
        #expect(!relu.exceeds(budget: 1e11))
        let tanh = WorkEstimate(
            network: Self.network([1024, 512, 256, 1], activation: .tanh), examples: 512,
            options: GradientCheckOptions())
        #expect(!tanh.exceeds(budget: 1e11))
        #expect(tanh.operations > relu.operations)
        // Four times the examples and twice the widths is still refused (the service words the
        // refusal: GradCheckAPITests.workOverTheBudgetIsRefusedWithTheEstimate).
        let huge = WorkEstimate(
            network: Self.network([2048, 1024, 512, 1], activation: .tanh), examples: 2048,
            options: GradientCheckOptions())
        #expect(huge.exceeds(budget: 1e11))
        let sampled = WorkEstimate(
            network: Self.network([2048, 1024, 512, 1], activation: .tanh), examples: 2048,
            options: GradientCheckOptions(mode: .sample(count: 100, seed: 1)))
        #expect(!sampled.exceeds(budget: 1e11))
    }
}

/// The one scientific formatter every message uses: three significant digits, and a mantissa
/// that rounding carried to 10 moves into the exponent.
@Suite struct ScientificFormatTests {
    @Test func threeSignificantDigitsWithTheCarry() {
        #expect(WorkEstimate.scientific(4.4e14) == "4.4e+14")
        #expect(WorkEstimate.scientific(99_999) == "1.0e+5")
        #expect(WorkEstimate.scientific(0.000_999_99) == "1.0e-3")
        #expect(WorkEstimate.scientific(1) == "1.0e+0")
    }
}
