import GradCheck
import Testing

/// Tied max-pool windows whose runner-up lies closer to the maximum than the step: integers
/// 0 to 3 times 1e-8, checked at h = 1e-7. Moving a tied group down by h crosses the runner-up,
/// so the group's central quotient is not the directional derivative there; its one-sided
/// quotients part like a kink's. The right backward (the first maximum takes the upstream)
/// must still pass, and the x == max backward must still fail and be named, at every scale.
/// And at a tiny step (1e-11), where rounding alone puts the one-sided quotients of a tie
/// tens of noise apart, a tie must still be taken as a kink, not judged on its central quotient.
@Suite struct NarrowTieGapTests {
    /// 3x3 windows with stride 2 on 5x5 inputs: the windows overlap, and integer values tie.
    static func inputs(scale: Double) -> LayerInputs {
        var generator = SplitMix64(seed: 11)
        let values = (0..<(2 * 2 * 5 * 5)).map { _ in Double(generator.nextIndex(below: 4)) * scale }
        return ["x": Tensor(shape: [2, 2, 5, 5], values: values)]
    }

    @Test(arguments: [(1.0, 1e-7), (1e-8, 1e-7), (1e-150, 1e-7), (1.0, 1e-11)])
    func rightPassesAndEveryMaximumFails(scale: Double, epsilon: Double) throws {
        let pool = MaxPoolLayer(poolHeight: 3, poolWidth: 3, stride: 2)
        let inputs = Self.inputs(scale: scale)
        #expect(pool.tiedGroups(inputs)["x"] != nil, "the input plants ties")
        // Every other window's upstream 100 times smaller: at 1e-11 its tie's one-sided
        // quotients are only tens of noise apart (noise grows with the whole sum, not the window).
        var upstream = [LayerCheckerTests.random([2, 2, 2, 2], seed: 5)]
        for i in stride(from: 1, to: upstream[0].count, by: 2) { upstream[0].values[i] *= 0.01 }
        func check(_ gradients: [String: Tensor]) throws -> LayerCheckReport {
            try LayerChecker.check(
                layer: pool, inputs: inputs, upstream: upstream, gradients: gradients, epsilon: epsilon, threshold: 1e-7, stop: .none)
        }
        let right = try check(pool.backward(inputs, upstream: upstream))
        #expect(right.passed, "scale \(scale), epsilon \(epsilon): \(right.message)")
        let slip = try #require(pool.slips.first { $0.kind == .everyMaximum }?.replay(inputs, upstream))
        let wrong = try check(slip)
        #expect(!wrong.passed && !wrong.inconclusive, "scale \(scale), epsilon \(epsilon): \(wrong.message)")
        #expect(
            wrong.rootCauses.contains { $0.kind == .everyMaximum }, "scale \(scale), epsilon \(epsilon): \(wrong.rootCauses.map(\.message))"
        )
    }
}
