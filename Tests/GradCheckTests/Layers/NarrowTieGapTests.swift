import GradCheck
import Testing

/// Tied max-pool windows whose runner-up lies closer to the maximum than the step: integers
/// 0 to 3 times 1e-8, checked at h = 1e-7. Moving a tied group down by h crosses the runner-up,
/// so the group's central quotient is not the directional derivative there; its one-sided
/// quotients part like a kink's. The right backward (the first maximum takes the upstream)
/// must still pass, and the x == max backward must still fail and be named, at every scale.
@Suite struct NarrowTieGapTests {
    /// 3x3 windows with stride 2 on 5x5 inputs: the windows overlap, and integer values tie.
    static func inputs(scale: Double) -> LayerInputs {
        var generator = SplitMix64(seed: 11)
        let values = (0..<(2 * 2 * 5 * 5)).map { _ in Double(generator.nextIndex(below: 4)) * scale }
        return ["x": Tensor(shape: [2, 2, 5, 5], values: values)]
    }

    @Test(arguments: [1.0, 1e-8, 1e-150])
    func rightPassesAndEveryMaximumFails(scale: Double) throws {
        let pool = MaxPoolLayer(poolHeight: 3, poolWidth: 3, stride: 2)
        let inputs = Self.inputs(scale: scale)
        #expect(pool.tiedGroups(inputs)["x"] != nil, "the input plants ties")
        let upstream = [LayerCheckerTests.random([2, 2, 2, 2], seed: 5)]
        func check(_ gradients: [String: Tensor]) throws -> LayerCheckReport {
            try LayerChecker.check(
                layer: pool, inputs: inputs, upstream: upstream, gradients: gradients, epsilon: 1e-7, threshold: 1e-7, stop: .none)
        }
        let right = try check(pool.backward(inputs, upstream: upstream))
        #expect(right.passed, "scale \(scale): \(right.message)")
        let slip = try #require(pool.slips.first { $0.kind == .everyMaximum }?.replay(inputs, upstream))
        let wrong = try check(slip)
        #expect(!wrong.passed && !wrong.inconclusive, "scale \(scale): \(wrong.message)")
        #expect(wrong.rootCauses.contains { $0.kind == .everyMaximum }, "scale \(scale): \(wrong.rootCauses.map(\.message))")
    }
}
