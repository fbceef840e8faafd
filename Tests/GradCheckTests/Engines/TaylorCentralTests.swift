import TestSupport
import Testing

@testable import GradCheck

/// The smooth activations' Taylor path (`LossExpansion`, `FastEngine+TaylorCentral`) against the
/// engine's exact propagation and the naive full-recompute oracle, for every smooth activation x
/// output x lambd, at eps = 1e-7 (the series is used) and eps = 1e-3 (where the result must carry
/// the central difference's own O(eps^2) truncation error, not be the derivative).
@Suite struct TaylorCentralTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let activation: Activation
        let output: OutputLayer
        let lambd: Double
        var testDescription: String { "\(activation.rawValue)/\(output.rawValue)/lambd=\(lambd)" }
    }

    static let cases: [Case] = [Activation.tanh, .sigmoid].flatMap { act in
        OutputLayer.allCases.flatMap { out in [0.0, 0.7].map { Case(activation: act, output: out, lambd: $0) } }
    }

    private func problem(_ c: Case, inputScale: Double = 1, weightScale: Double = 1) -> TestProblem {
        var p = TestProblem.random(
            widths: [6, 5, 4, c.output == .sigmoid ? 1 : 3], m: 9,
            activation: c.activation, output: c.output, lambd: c.lambd, seed: 97)
        for k in 0..<p.x.count { p.x.values[k] *= inputScale }
        for l in 0..<p.network.depth {
            for k in 0..<p.network.layers[l].weights.count { p.network.layers[l].weights.values[k] *= weightScale }
        }
        return p
    }

    /// Hidden-layer coordinates, where the series applies (the last layer is exact in closed form).
    private func hiddenCoordinates(_ network: Network) -> [Coordinate] {
        EngineTestSupport.allCoordinates(network).filter { $0.parameter.layer < network.depth }
    }

    /// Every hidden coordinate through the series (nil where it refuses) and through `exactCentral`.
    private func bothWays(_ p: TestProblem, eps: Double) -> [(Coordinate, taylor: Double?, exact: Double)] {
        let cache = EngineCache(network: p.network, inputs: p.x, labels: p.y, threads: 1)
        return hiddenCoordinates(p.network).map { k in
            let expansion = cache.lossExpansion(layer: k.parameter.layer, row: k.row, stop: .none)!
            let input = cache.inputRow(k)
            return (
                k, cache.taylorCentral(k, input: input, step: eps, expansion: expansion)?.value,
                cache.exactCentral(k, input: input, step: eps).value
            )
        }
    }

    @Test(arguments: cases)
    func smallStepUsesTheSeriesAndMatchesExactPropagation(_ c: Case) {
        let p = problem(c)
        for (k, taylor, exact) in bothWays(p, eps: 1e-7) {
            #expect(taylor != nil, "\(k): the series should apply at eps 1e-7")
            if let taylor { #expect(abs(taylor - exact) <= 1e-12 * max(1, abs(exact)), "\(k): taylor \(taylor) exact \(exact)") }
        }
    }

    @Test(arguments: cases)
    func engineMatchesNaiveOracleAndBackpropagation(_ c: Case) {
        let p = problem(c)
        let coords = EngineTestSupport.allCoordinates(p.network)
        let analytic = p.network.gradients(inputs: p.x, labels: p.y).gradients.tensors
        let oracle = NaiveCentralOracle(problem: p)
        // eps = 1e-7: rounding-dominated oracle (about 1e-9), and the notebook difference against
        // backpropagation stays below 1e-13 (truncation ~1e-14, rounding of the careful evaluation).
        let small = FastEngine(threads: 2).derivatives(of: p.network, inputs: p.x, labels: p.y, at: coords, method: .central, step: 1e-7)
        var numeric: [Double] = []
        var exact: [Double] = []
        for (n, k) in coords.enumerated() {
            let naive = oracle.derivative(at: k, eps: 1e-7).value
            #expect(abs(small[n].value - naive) <= 1e-8 * max(1, abs(naive)), "\(k): \(small[n].value) vs naive \(naive)")
            numeric.append(small[n].value)
            exact.append(analytic[k.parameter]![k.row, k.col])
        }
        let difference = EngineTestSupport.difference(numeric, exact)
        #expect(difference < 1e-13, "difference \(difference)")
        // eps = 1e-3: the engine equals the naive (J+ - J-)/2eps including its truncation error,
        // which here is far above the agreement tolerance.
        let large = FastEngine(threads: 2).derivatives(of: p.network, inputs: p.x, labels: p.y, at: coords, method: .central, step: 1e-3)
        var largestTruncation = 0.0
        for (n, k) in coords.enumerated() {
            let naive = oracle.derivative(at: k, eps: 1e-3).value
            #expect(abs(large[n].value - naive) <= 1e-11 * max(1, abs(naive)), "\(k) eps 1e-3: \(large[n].value) vs naive \(naive)")
            largestTruncation = max(largestTruncation, abs(naive - analytic[k.parameter]![k.row, k.col]))
        }
        #expect(largestTruncation > 1e-9, "eps 1e-3 should show truncation error (\(largestTruncation))")
    }

    /// Saturated units (|Z| > 20, weights x 15 with inputs x 4) and inputs around 1e3: the series
    /// must either stay exact or hand the coordinate to the exact propagation.
    @Test(arguments: cases)
    func saturatedUnitsAndHugeInputsStillMatchTheOracle(_ c: Case) {
        for (inputScale, weightScale) in [(4.0, 15.0), (1e3, 1.0)] {
            let p = problem(c, inputScale: inputScale, weightScale: weightScale)
            let pass = p.network.forward(p.x, labels: p.y)
            let largestZ = pass.preActivations.dropLast().flatMap(\.values).map(abs).max() ?? 0
            #expect(largestZ > 20, "the case should saturate some unit (largest |Z| \(largestZ))")
            let coords = EngineTestSupport.allCoordinates(p.network)
            let oracle = NaiveCentralOracle(problem: p)
            for eps in [1e-7, 1e-3] {
                let fast = FastEngine(threads: 2).derivatives(
                    of: p.network, inputs: p.x, labels: p.y, at: coords, method: .central, step: eps)
                // The naive oracle's own rounding: about 1e-16 |J| / eps (J is large here).
                let tolerance = eps < 1e-5 ? 1e-8 * max(1, pass.cost) : 1e-10
                for (n, k) in coords.enumerated() {
                    let naive = oracle.derivative(at: k, eps: eps).value
                    #expect(fast[n].value.isFinite)
                    #expect(
                        abs(fast[n].value - naive) <= tolerance * max(1, abs(naive)),
                        "\(k) scale \(inputScale)/\(weightScale) eps \(eps): \(fast[n].value) vs naive \(naive)")
                }
            }
            // And where the series is used it agrees with the exact propagation to rounding.
            for (k, taylor, exact) in bothWays(p, eps: 1e-7) {
                if let taylor { #expect(abs(taylor - exact) <= 1e-12 * max(1, abs(exact)), "\(k): taylor \(taylor) exact \(exact)") }
            }
        }
    }

    @Test func largeStepRefusesTheSeriesSomewhere() {
        let p = problem(Case(activation: .tanh, output: .sigmoid, lambd: 0), inputScale: 1e3)
        #expect(bothWays(p, eps: 1e-3).contains { $0.taylor == nil })
    }
}
