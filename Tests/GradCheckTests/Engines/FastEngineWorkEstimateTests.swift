import TestSupport
import Testing

@testable import GradCheck

@Suite struct FastEngineWorkEstimateTests {
    let relu = TestProblem.random(widths: [100, 50, 20, 1], m: 64, activation: .relu, output: .sigmoid, lambd: 0, seed: 1)
        .network

    private func total(_ network: Network, _ method: DifferenceMethod, setup: Bool = true) -> Double {
        network.parameterIDs.reduce(setup ? FastEngine.setupOperations(of: network, examples: 64) : 0) {
            $0 + FastEngine.estimatedOperations(of: network, examples: 64, parameter: $1, coordinates: network[$1].count, method: method)
        }
    }

    @Test func smoothCentralCostsMoreThanReLUButNotAPropagationPerCoordinate() {
        var tanh = relu
        tanh.activation = .tanh
        // The per-row expansion makes a full tanh check a small multiple of ReLU's...
        #expect(total(tanh, .central) > total(relu, .central))
        #expect(total(tanh, .central) < 10 * total(relu, .central))
        // ...while coordinates spread one per row (a sample) are priced at the exact propagation.
        let w1 = ParameterID(layer: 1, kind: .weight)
        let spread = FastEngine.estimatedOperations(of: tanh, examples: 64, parameter: w1, coordinates: 50, method: .central)
        #expect(spread >= 50 * FastEngine.exactCentralOperations(of: tanh, examples: 64, layer: 1))
        // Complex-step never propagates layer by layer (only the ReLU kink bounds add setup).
        #expect(total(tanh, .complexStep, setup: false) == total(relu, .complexStep, setup: false))
    }

    @Test func estimateGrowsWithCoordinates() {
        let w1 = ParameterID(layer: 1, kind: .weight)
        let few = FastEngine.estimatedOperations(of: relu, examples: 64, parameter: w1, coordinates: 10, method: .central)
        let many = FastEngine.estimatedOperations(of: relu, examples: 64, parameter: w1, coordinates: 1000, method: .central)
        #expect(many == 100 * few && few > 0)
    }
}
