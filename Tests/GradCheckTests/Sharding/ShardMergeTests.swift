import TestSupport
import Testing

@testable import GradCheck

/// A full check split into n shards and merged equals the unsharded check: same verdicts,
/// worst entries, kinks and counts, the difference within 1e-12 relative.
@Suite struct ShardMergeTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let activation: Activation
        let output: OutputLayer
        /// Send gradients with a planted mistake (dW of the last layer doubled, one db entry off).
        let buggy: Bool
        var testDescription: String { "\(activation.rawValue)/\(output.rawValue)\(buggy ? "/buggy" : "")" }
    }

    static let cases: [Case] = Activation.allCases.flatMap { act in
        OutputLayer.allCases.flatMap { out in [false, true].map { Case(activation: act, output: out, buggy: $0) } }
    }

    static let shardCounts = [1, 2, 3, 7]

    private func problem(_ c: Case, seed: UInt64) -> (TestProblem, Gradients?) {
        let nL = c.output == .sigmoid ? 1 : 3
        let p = TestProblem.random(
            widths: [5, 6, 4, nL], m: 9, activation: c.activation, output: c.output,
            lambd: 0.3, seed: seed)
        guard c.buggy else { return (p, nil) }
        var g = p.network.gradients(inputs: p.x, labels: p.y).gradients
        let last = ParameterID(layer: 3, kind: .weight)
        g.tensors[last]!.values = g.tensors[last]!.values.map { 2 * $0 }
        g.tensors[ParameterID(layer: 1, kind: .bias)]!.values[2] += 0.01
        return (p, g)
    }

    @Test func partitionCoversEveryCoordinateOnce() {
        let p = TestProblem.random(widths: [7, 5, 3, 1], m: 6, activation: .tanh, output: .sigmoid, lambd: 0, seed: 3)
        let all = CoordinateSampler.all(of: p.network)
        for n in [1, 2, 3, 7, 64, all.count + 5] {
            let ranges = ShardPartition.ranges(of: p.network, examples: 6, method: .central, count: n)
            #expect(ranges.count == n)
            #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == all.count)
            for k in 1..<n { #expect(ranges[k - 1].upperBound == ranges[k].lowerBound, "n=\(n) k=\(k)") }
            let joined = (0..<n).flatMap {
                ShardPartition.coordinates(of: p.network, examples: 6, method: .central, only: nil, shard: ShardSpec(index: $0, count: n))
            }
            #expect(joined == all, "n=\(n): the shards' coordinates in order are every coordinate once")
        }
    }

    @Test func partitionBalancesCostNotCount() {
        // A tanh layer-1 weight costs far more than an output weight: equal cost means unequal counts.
        let p = TestProblem.random(widths: [20, 30, 30, 1], m: 16, activation: .tanh, output: .sigmoid, lambd: 0, seed: 5)
        let all = CoordinateSampler.all(of: p.network)
        let costs = ShardPartition.costs(of: all, network: p.network, examples: 16, method: .central)
        let ranges = ShardPartition.ranges(costs: costs, count: 3)
        let shares = ranges.map { r in r.reduce(0.0) { $0 + costs[$1] } }
        let total = costs.reduce(0, +)
        let largest = costs.max()!
        for share in shares { #expect(abs(share - total / 3) <= largest, "shares \(shares)") }
        #expect(Set(ranges.map(\.count)).count > 1, "equal cost, unequal counts: \(ranges)")
    }

    @Test(arguments: cases)
    func mergeEqualsUnsharded(_ c: Case) throws {
        let (p, gradients) = problem(c, seed: 17)
        // ReLU-like networks also at a step long enough to cross kinks.
        let steps = c.activation.hasKinks ? [1e-7, 0.05] : [1e-7]
        for eps in steps {
            let options = GradientCheckOptions(method: .central, epsilon: eps, threshold: 1e-7, mode: .full)
            let checker = GradientChecker(engine: FastEngine(threads: 2))
            let whole = checker.check(p.network, inputs: p.x, labels: p.y, gradients: gradients, options: options)
            for n in Self.shardCounts {
                var partials: [ShardPartial] = []
                for k in 0..<n {
                    partials.append(
                        try checker.checkShard(
                            p.network, inputs: p.x, labels: p.y, gradients: gradients,
                            options: options, shard: ShardSpec(index: k, count: n)))
                }
                let merged = try GradientChecker.merge(partials.reversed())
                Self.expectSame(merged, whole, "\(c.testDescription) eps=\(eps) n=\(n)")
            }
        }
    }

    /// Entries whose squares underflow (1e-165: squares 1e-330) or overflow (1e160: squares
    /// 1e320) in a plain sum: the merge still equals the unsharded check, for 3 and 7 shards.
    @Test(arguments: [1e-160, 1e-165, 1e150, 1e160])
    func mergeEqualsUnshardedAtExtremeScales(scale: Double) throws {
        let p = TestProblem.random(widths: [4, 5, 3, 1], m: 6, activation: .tanh, output: .sigmoid, lambd: 0, seed: 23)
        let truth = p.network.gradients(inputs: p.x, labels: p.y).gradients
        let checker = GradientChecker(engine: FastEngine(threads: 2))
        var network = p.network
        var x = p.x
        var gradients = truth
        if scale < 1 {
            // Inputs of `scale`: dW1 is about `scale` too, and the caller's dW1 is twice it.
            x.values = x.values.map { $0 * scale }
            gradients = network.gradients(inputs: x, labels: p.y).gradients
            let w1 = ParameterID(layer: 1, kind: .weight)
            gradients.tensors[w1]!.values = gradients.tensors[w1]!.values.map { 2 * $0 }
        } else {
            // The caller's gradients are `scale` times too large (each entry near `scale`).
            for id in network.parameterIDs { gradients.tensors[id]!.values = truth.tensors[id]!.values.map { $0 * scale } }
        }
        network.lambd = 0
        let whole = checker.check(network, inputs: x, labels: p.y, gradients: gradients)
        // Tiny: dW1 is wrong on its own scale (the whole difference barely moves); huge: all wrong.
        #expect(!whole.passed && whole.difference.isFinite, "\(whole.difference)")
        #expect(scale < 1 ? whole.failedParameters == ["W1"] : whole.failedParameters.count == 6, "\(whole.failedParameters)")
        for n in [3, 7] {
            let partials = try (0..<n).map {
                try checker.checkShard(network, inputs: x, labels: p.y, gradients: gradients, shard: ShardSpec(index: $0, count: n))
            }
            let merged = try GradientChecker.merge(partials.shuffled())
            Self.expectSame(merged, whole, "scale \(scale) n=\(n)")
        }
    }

    @Test func scaledSumsNeitherUnderflowNorOverflow() {
        for (value, count) in [(1e-300, 1000), (1e300, 1000), (3.0, 7)] {
            var sum = ScaledSum()
            for _ in 0..<count { sum.add(value, times: value) }
            let expected = value * Double(count).squareRoot()
            #expect(abs(sum.root - expected) <= 1e-14 * expected, "\(value): \(sum.root) vs \(expected)")
            var halves = ScaledSum()
            var other = ScaledSum()
            for k in 0..<count { k % 2 == 0 ? halves.add(value, times: value) : other.add(value / 1e100, times: value / 1e100) }
            halves.add(other)
            #expect(halves.scale > 0 && halves.root.isFinite && halves.root > 0)
        }
    }

    @Test func complexStepShardsCarryTheUnshardedNotes() throws {
        // The pre-flight loss note judges the central step even when complex-step's tiny h is
        // asked for; a shard once judged h itself and added a note the unsharded check had not.
        let p = TestProblem.random(widths: [4, 5, 1], m: 6, activation: .tanh, output: .sigmoid, lambd: 0, seed: 11)
        let options = GradientCheckOptions(method: .complexStep, epsilon: 1e-20, threshold: 1e-7, mode: .full)
        let checker = GradientChecker(engine: FastEngine(threads: 2))
        let whole = checker.check(p.network, inputs: p.x, labels: p.y, options: options)
        let partials = try (0..<2).map {
            try checker.checkShard(p.network, inputs: p.x, labels: p.y, options: options, shard: ShardSpec(index: $0, count: 2))
        }
        let merged = try GradientChecker.merge(partials)
        Self.expectSame(merged, whole, "complex-step n=2")
    }

    static func close(_ a: Double, _ b: Double) -> Bool {
        a == b || abs(a - b) <= 1e-12 * max(abs(a), abs(b))
    }

    static func expectSame(_ merged: GradientCheckReport, _ whole: GradientCheckReport, _ label: String) {
        #expect(close(merged.difference, whole.difference), "\(label): difference \(merged.difference) vs \(whole.difference)")
        #expect(merged.passed == whole.passed, "\(label)")
        #expect(merged.message.hasPrefix(whole.passed ? "Your" : whole.message.prefix(20).description), "\(label)")
        #expect(close(merged.floor, whole.floor), "\(label): floor")
        #expect(merged.checkedCount == whole.checkedCount && merged.kinkCount == whole.kinkCount, "\(label): counts")
        #expect(merged.costEvaluations == whole.costEvaluations, "\(label)")
        #expect(merged.failedParameters == whole.failedParameters, "\(label)")
        #expect(Array(merged.notes.dropLast()) == whole.notes, "\(label): notes\n\(merged.notes)\n\(whole.notes)")
        #expect(merged.parameters.count == whole.parameters.count)
        for (m, w) in zip(merged.parameters, whole.parameters) {
            let at = "\(label) \(w.name)"
            #expect(m.name == w.name, "\(at)")
            #expect(close(m.difference, w.difference), "\(at): \(m.difference) vs \(w.difference)")
            #expect(m.passed == w.passed, "\(at)")
            #expect(m.worst == w.worst, "\(at): worst \(String(describing: m.worst)) vs \(String(describing: w.worst))")
            #expect(
                m.kinkCount == w.kinkCount && m.kinkExamples == w.kinkExamples && m.subgradientCount == w.subgradientCount, "\(at): kinks")
            #expect(m.checkedCount == w.checkedCount, "\(at)")
            #expect(m.maxRelativeError == w.maxRelativeError, "\(at)")
            #expect(m.band == w.band, "\(at)")
            #expect(close(m.floor, w.floor), "\(at): floor \(m.floor) vs \(w.floor)")
            #expect((m.ratio == nil) == (w.ratio == nil), "\(at): ratio")
            if let mr = m.ratio, let wr = w.ratio { #expect(abs(mr - wr) <= 1e-9 * max(1, abs(wr)), "\(at): ratio \(mr) vs \(wr)") }
        }
    }

    @Test func mergeRefusesMissingRepeatedAndForeignShards() throws {
        let p = TestProblem.random(widths: [3, 2, 1], m: 4, activation: .tanh, output: .sigmoid, lambd: 0, seed: 1)
        let checker = GradientChecker(engine: FastEngine(threads: 1))
        let parts = try (0..<3).map {
            var part = try checker.checkShard(p.network, inputs: p.x, labels: p.y, shard: ShardSpec(index: $0, count: 3))
            part.fingerprint = "abc"
            return part
        }
        #expect(throws: GradientChecker.MergeFailure.self) { try GradientChecker.merge([parts[0], parts[1]]) }
        #expect(throws: GradientChecker.MergeFailure.self) { try GradientChecker.merge([parts[0], parts[1], parts[1]]) }
        var foreign = parts[2]
        foreign.fingerprint = "def"
        #expect(throws: GradientChecker.MergeFailure.self) { try GradientChecker.merge([parts[0], parts[1], foreign]) }
        #expect(throws: GradientChecker.MergeFailure.self) { try GradientChecker.merge([]) }
        _ = try GradientChecker.merge(parts)
    }
}
