import GradCheck
import TestSupport
import Testing

/// Backward against finite differences on small random networks, for every activation, output
/// and lambd; the oracle is the notebook's plain two-forward-pass algorithm, which shares no code
/// with backward or with the exact-change engine.
@Suite struct BackpropagationTests {
    static let combinations: [(Activation, OutputLayer, Double)] =
        Activation.allCases.flatMap { a in OutputLayer.allCases.flatMap { o in [0.0, 0.7].map { (a, o, $0) } } }

    @Test(arguments: 0..<combinations.count)
    func backwardMatchesFiniteDifferences(_ index: Int) {
        let (activation, output, lambd) = Self.combinations[index]
        let sizes = output == .softmax ? [4, 5, 3, 3] : [4, 5, 3, 1]
        let (network, x, y) = TestProblem.random(
            widths: sizes, m: 6, activation: activation, output: output, lambd: lambd, seed: UInt64(100 + index)
        ).parts
        let plain = GradientChecker(engine: ReferenceEngine(strategy: .notebook))
            .check(network, inputs: x, labels: y, options: GradientCheckOptions(epsilon: 1e-5, threshold: 1e-6))
        #expect(plain.passed, "\(activation) \(output) lambd \(lambd): plain difference \(plain.difference)")
        let exact = GradientChecker().check(network, inputs: x, labels: y)
        #expect(exact.passed && exact.difference < 1e-12, "\(activation) \(output) lambd \(lambd): exact difference \(exact.difference)")
        #expect(exact.kinkCount * 10 < exact.checkedCount, "kinks must be rare here, not hide the comparison")
        print("\(activation) \(output) lambd \(lambd): plain \(plain.difference) exact \(exact.difference) kinks \(exact.kinkCount)")
    }

    @Test func intermediatesHaveTheirLayersShapes() throws {
        let (x, y, _, network) = try Fixtures.notebook()
        let (pass, g) = network.gradients(inputs: x, labels: y, intermediates: true)
        #expect(g.preActivationGradients.map(\.shape) == pass.preActivations.map(\.shape))
        #expect(g.activationGradients.map(\.shape) == pass.activations.dropLast().map(\.shape))
        // dZ_L = (A_L - Y) / m
        let dZ3 = g.named["dZ3"]!
        for c in 0..<3 { #expect(abs(dZ3[0, c] - (pass.output[0, c] - y[0, c]) / 3) < 1e-15) }
        // dZ_l = dA_l * relu'(Z_l)
        let dA2 = g.named["dA2"]!
        let dZ2 = g.named["dZ2"]!
        let z2 = pass.preActivations[1]
        for i in 0..<dA2.count { #expect(dZ2.values[i] == (z2.values[i] > 0 ? dA2.values[i] : 0)) }
        #expect(g.named["dA3"] == nil)
    }

    @Test func saturatedNetworkHasFiniteCostAndGradients() {
        for output in OutputLayer.allCases {
            let units = output == .softmax ? 2 : 1
            // Logits of +/-1000 with the wrong labels: probabilities round to exactly 0 and 1.
            let w = Matrix(rows: units, cols: 1, values: units == 1 ? [1000] : [1000, -1000])
            let network = Network(layers: [Layer(weights: w, bias: Matrix(rows: units, cols: 1))], output: output)
            let x = Matrix(rows: 1, cols: 2, values: [1, -1])
            let y = units == 1 ? Matrix(rows: 1, cols: 2, values: [0, 1]) : Matrix(rows: 2, cols: 2, values: [0, 1, 1, 0])
            let (pass, g) = network.gradients(inputs: x, labels: y)
            #expect(pass.logits.values.allSatisfy { abs($0) > 800 })
            #expect(pass.cost.isFinite && abs(pass.cost - 1000 * Double(units == 1 ? 1 : 2)) < 1e-9, "\(output): \(pass.cost)")
            #expect(g.tensors.values.allSatisfy { $0.isFinite })
        }
    }
}
