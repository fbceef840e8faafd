import TestSupport
import Testing

@testable import GradCheck

/// FastEngine against the naive oracles on small random networks of every activation x output x
/// lambd, one, two and four layers deep (four layers exercise the deep kink bound).
@Suite struct FastEngineAgreementTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let activation: Activation
        let output: OutputLayer
        let lambd: Double
        let widths: [Int]
        var testDescription: String { "\(activation.rawValue)/\(output.rawValue)/lambd=\(lambd)/\(widths)" }
    }

    static let cases: [Case] = Activation.allCases.flatMap { act in
        OutputLayer.allCases.flatMap { out in
            [0.0, 0.7].flatMap { lambd in
                let nL = out == .sigmoid ? 1 : 3
                return [[6, nL], [5, 4, nL], [4, 6, 5, 4, nL]].map { Case(activation: act, output: out, lambd: lambd, widths: $0) }
            }
        }
    }

    private func problem(_ c: Case, seed: UInt64) -> TestProblem {
        TestProblem.random(widths: c.widths, m: 7, activation: c.activation, output: c.output, lambd: c.lambd, seed: seed)
    }

    @Test(arguments: cases)
    func centralMatchesFullRecompute(_ c: Case) {
        // A small step (rounding-dominated oracle) and a large one (many kink crossings, asserted): both
        // engines evaluate the same J(theta +- eps), so they agree either way.
        for (eps, tolerance) in [(1e-5, 2e-9), (0.3, 1e-11)] {
            let p = problem(c, seed: 11)
            let coords = EngineTestSupport.allCoordinates(p.network)
            let fast = FastEngine(threads: 2).derivatives(of: p.network, inputs: p.x, labels: p.y, at: coords, method: .central, step: eps)
            let oracle = NaiveCentralOracle(problem: p)
            if c.activation.hasKinks && c.widths.count > 2 && eps > 1e-3 {
                #expect(fast.contains { $0.crossesKink }, "a step of 0.3 should cross some kinks")
            }
            for (k, coord) in coords.enumerated() {
                let expected = oracle.derivative(at: coord, eps: eps)
                #expect(
                    abs(fast[k].value - expected.value) <= tolerance * max(1, abs(expected.value)),
                    "\(coord) eps \(eps): fast \(fast[k].value) oracle \(expected.value)")
                #expect(fast[k].crossesKink == expected.crossesKink, "\(coord) eps \(eps) kink")
            }
        }
    }

    @Test(arguments: cases)
    func complexStepMatchesFullComplexForward(_ c: Case) {
        let p = problem(c, seed: 23)
        let coords = EngineTestSupport.allCoordinates(p.network)
        let fast = FastEngine(threads: 2).derivatives(
            of: p.network, inputs: p.x, labels: p.y, at: coords, method: .complexStep, step: 1e-20)
        let reference = ComplexStepReferenceEngine().derivatives(
            of: p.network, inputs: p.x, labels: p.y, at: coords, method: .complexStep, step: 1e-20)
        let oracle = NaiveCentralOracle(problem: p)
        for (k, coord) in coords.enumerated() {
            #expect(
                abs(fast[k].value - reference[k].value) <= 1e-13 * max(1, abs(reference[k].value)),
                "\(coord): fast \(fast[k].value) reference \(reference[k].value)")
            // And it is the derivative: central at 1e-5 agrees to its truncation + rounding error.
            let central = oracle.derivative(at: coord, eps: 1e-5)
            if !central.crossesKink {
                #expect(abs(fast[k].value - central.value) <= 1e-7 * max(1, abs(central.value)), "\(coord) vs central")
            }
        }
    }

    @Test(arguments: cases)
    func directionalMatchesOracles(_ c: Case) {
        let p = problem(c, seed: 37)
        var rng = SplitMix64(seed: 5)
        var direction: [ParameterID: Matrix] = [:]
        for id in p.network.parameterIDs {
            let t = p.network[id]
            direction[id] = Matrix(rows: t.rows, cols: t.cols, values: (0..<t.count).map { _ in rng.nextGaussian() })
        }
        let engine = FastEngine(threads: 2)
        let complex = engine.directionalDerivative(
            of: p.network, inputs: p.x, labels: p.y, along: direction, method: .complexStep, step: 1e-20)
        let reference = ComplexStepReferenceEngine().directionalDerivative(
            of: p.network, inputs: p.x, labels: p.y, along: direction, method: .complexStep, step: 1e-20)
        #expect(
            abs(complex.value - reference.value) <= 1e-13 * max(1, abs(reference.value)), "complex \(complex.value) vs \(reference.value)")

        // Central along u: the notebook's two full costs at theta +- eps u, as the oracle.
        let eps = 1e-5
        var up = p.network
        var down = p.network
        for (id, u) in direction {
            for k in 0..<u.count {
                up[id].values[k] += eps * u.values[k]
                down[id].values[k] -= eps * u.values[k]
            }
        }
        let naive = (up.forward(p.x, labels: p.y).cost - down.forward(p.x, labels: p.y).cost) / (2 * eps)
        let central = engine.directionalDerivative(of: p.network, inputs: p.x, labels: p.y, along: direction, method: .central, step: eps)
        #expect(abs(central.value - naive) <= 1e-8 * max(1, abs(naive)), "central \(central.value) vs \(naive)")
        if !central.crossesKink {
            #expect(abs(central.value - complex.value) <= 1e-6 * max(1, abs(complex.value)))
        }
    }
}

/// Large weights saturate tanh / sigmoid units and push the output into log(0) territory,
/// where naive formulas overflow or cancel.
@Suite struct FastEngineSaturationTests {
    @Test(arguments: Activation.allCases)
    func saturatedNetworksStillAgree(_ activation: Activation) {
        for output in OutputLayer.allCases {
            var p = TestProblem.random(
                widths: [4, 5, 4, output == .sigmoid ? 1 : 3], m: 6,
                activation: activation, output: output, lambd: 0.1, seed: 71)
            for l in 0..<p.network.depth {
                for k in 0..<p.network.layers[l].weights.count { p.network.layers[l].weights.values[k] *= 15 }
            }
            let coords = EngineTestSupport.allCoordinates(p.network)
            let complex = FastEngine().derivatives(of: p.network, inputs: p.x, labels: p.y, at: coords, method: .complexStep, step: 1e-20)
            let reference = ComplexStepReferenceEngine().derivatives(
                of: p.network, inputs: p.x, labels: p.y, at: coords, method: .complexStep, step: 1e-20)
            let central = FastEngine().derivatives(of: p.network, inputs: p.x, labels: p.y, at: coords, method: .central, step: 1e-4)
            let oracle = NaiveCentralOracle(problem: p)
            for (k, coord) in coords.enumerated() {
                #expect(complex[k].value.isFinite && central[k].value.isFinite)
                #expect(
                    abs(complex[k].value - reference[k].value) <= 1e-12 * max(1, abs(reference[k].value)),
                    "\(activation)/\(output) \(coord): \(complex[k].value) vs \(reference[k].value)")
                let expected = oracle.derivative(at: coord, eps: 1e-4)
                #expect(
                    abs(central[k].value - expected.value) <= 1e-8 * max(1, abs(expected.value)),
                    "\(activation)/\(output) \(coord): central \(central[k].value) vs \(expected.value)")
            }
        }
    }
}
