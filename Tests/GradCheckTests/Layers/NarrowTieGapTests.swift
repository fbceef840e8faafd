import Foundation
import GradCheck
import TestSupport
import Testing

/// Max-pool windows whose values lie closer together than the step: integers 0 to 3 times a
/// scale, overlapping 3x3 windows with stride 2. At h = 1e-7 and values 1e-8 apart, a step
/// crosses the runner-ups and the maxima of overlapping windows, so one entry's differences
/// are secants over several pieces of max, which need not bracket its share. Entries within 2h
/// of a window's maximum are therefore judged as tied (their shares must sum to the window's
/// upstream), and the verdicts stay decisive at every scale: the right backward passes, the
/// x == max one fails and is named. And at a tiny step (1e-11), where rounding alone puts a
/// tie's one-sided quotients only tens of noise apart, a tie is still taken as a kink.
@Suite struct NarrowTieGapTests {
    static func inputs(scale: Double) -> LayerInputs {
        var generator = SplitMix64(seed: 11)
        let values = (0..<(2 * 2 * 5 * 5)).map { _ in Double(generator.nextIndex(below: 4)) * scale }
        return ["x": Tensor(shape: [2, 2, 5, 5], values: values)]
    }

    static func check(
        _ pool: MaxPoolLayer, _ inputs: LayerInputs, _ upstream: [Tensor], epsilon: Double, label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        func check(_ gradients: [String: Tensor]) throws -> LayerCheckReport {
            try LayerChecker.check(
                layer: pool, inputs: inputs, upstream: upstream, gradients: gradients, epsilon: epsilon, threshold: 1e-7, stop: .none)
        }
        let right = try check(pool.backward(inputs, upstream: upstream))
        #expect(right.passed, "\(label): \(right.message)", sourceLocation: sourceLocation)
        let slip = try #require(pool.slips.first { $0.kind == .everyMaximum }?.replay(inputs, upstream))
        let wrong = try check(slip)
        #expect(!wrong.passed && !wrong.inconclusive, "\(label): \(wrong.message)", sourceLocation: sourceLocation)
        #expect(
            wrong.rootCauses.contains { $0.kind == .everyMaximum }, "\(label): \(wrong.rootCauses.map(\.message))",
            sourceLocation: sourceLocation)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let scale: Double
        let epsilon: Double
        var testDescription: String { "values x \(scale), epsilon \(epsilon)" }
    }

    @Test(arguments: [
        Case(scale: 1, epsilon: 1e-7), Case(scale: 1e-8, epsilon: 1e-7), Case(scale: 1e-150, epsilon: 1e-7),
        Case(scale: 1e-8, epsilon: 1e-10), Case(scale: 1, epsilon: 1e-11),
    ])
    func rightPassesAndEveryMaximumFails(_ test: Case) throws {
        let pool = MaxPoolLayer(poolHeight: 3, poolWidth: 3, stride: 2)
        let inputs = Self.inputs(scale: test.scale)
        #expect(pool.tiedGroups(inputs)["x"] != nil, "the input plants ties")
        // Every other window's upstream 100 times smaller: at 1e-11 its tie's one-sided
        // quotients are only tens of noise apart (noise grows with the whole sum, not the window).
        var upstream = [LayerCheckerTests.random([2, 2, 2, 2], seed: 5)]
        for i in stride(from: 1, to: upstream[0].count, by: 2) { upstream[0].values[i] *= 0.01 }
        try Self.check(pool, inputs, upstream, epsilon: test.epsilon, label: test.testDescription)
    }

    /// The ties example of scripts/examples/layers with its values scaled below the step: the
    /// probe that found its right backward called wrong (an entry that is one window's maximum
    /// stepped past an overlapping window's maximum, whose upstream has the other sign).
    @Test(arguments: [1e-8, 1e-150])
    func theTiesExampleScaledBelowTheStep(scale: Double) throws {
        let url = Fixtures.examples.appendingPathComponent("layers/cs231n-max_pool-ties.json")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        func flat(_ value: Any) -> [Double] { (value as? [Any]).map { $0.flatMap(flat) } ?? [(value as! NSNumber).doubleValue] }
        let x = flat((body["inputs"] as! [String: Any])["x"]!).map { $0 * scale }
        let dout = flat((body["upstream"] as! [String: Any])["dout"]!)
        let layer = body["layer"] as! [String: Any]
        let pool = MaxPoolLayer(
            poolHeight: layer["pool_height"] as! Int, poolWidth: layer["pool_width"] as! Int, stride: layer["stride"] as! Int)
        try Self.check(
            pool, ["x": Tensor(shape: [2, 2, 5, 5], values: x)], [Tensor(shape: [2, 2, 2, 2], values: dout)], epsilon: 1e-7,
            label: "the ties example x \(scale)")
    }
}
