import Foundation

/// A full check split into shards (`ShardPartition`) and merged back (`merge`): the merged
/// report has the unsharded check's verdict, per-tensor verdicts, worst entries and kinks, and
/// its difference to rounding of the last digit. Root causes and intermediates need every
/// tensor's entries at once and are not checked in sharded mode.
extension GradientChecker {
    /// Why shards cannot be merged.
    public enum MergeFailure: Error, Sendable, Equatable {
        case invalid(String)
    }

    /// The note every merged report carries.
    public static func shardedNote(count: Int) -> String {
        "checked in \(count) shard(s) and merged: root causes and intermediates (dZ_l, dA_l) are not checked in sharded mode, and a failed tensor's diagnosis does not count its disagreeing entries"
    }

    /// Checks part `shard` of every coordinate (full mode; `options.mode` is not read).
    public func checkShard(
        _ network: Network, inputs x: Matrix, labels y: Matrix, gradients: Gradients? = nil,
        options: GradientCheckOptions = GradientCheckOptions(), shard: ShardSpec,
        stop: StopSignal = .none
    ) throws(CheckFailure) -> ShardPartial {
        let started = DispatchTime.now().uptimeNanoseconds
        let (analytic, method, notes, analyticNonFinite, floorModel) = prepare(
            network, inputs: x, labels: y, gradients: gradients, options: options)
        let coordinates = ShardPartition.coordinates(of: network, examples: x.cols, method: method, only: options.only, shard: shard)
        let numeric = engine.derivatives(
            of: network, inputs: x, labels: y, at: coordinates,
            method: method, step: options.epsilon, stop: stop)
        let ids = network.parameterIDs.filter { options.only?.contains($0) ?? true }
        // Every checked tensor gets a partial, even one this shard has no entry of.
        var tensors: [ParameterID: TensorPartial] = [:]
        let numericNonFinite = CoordinateReading.read(coordinates, numeric, analytic: analytic, floorModel: floorModel) { reading in
            let id = reading.coordinate.parameter
            tensors[id, default: TensorPartial(gradient: GradientName(id))].add(
                index: reading.index, analytic: reading.analytic, numeric: reading.numeric,
                floorError: reading.floorError, threshold: options.threshold, unitRoundoff: options.precision.unitRoundoff,
                absoluteFloor: VerdictRule.absoluteFloor(precision: options.precision, step: options.epsilon))
        }
        if let interruption = stop.interruption { throw .interrupted(interruption) }
        if let nonFinite = analyticNonFinite ?? numericNonFinite { throw .nonFinite(nonFinite) }
        var partial = ShardPartial(
            shard: shard, epsilon: options.epsilon, threshold: options.threshold, method: options.method,
            methodUsed: method, precision: options.precision,
            tensors: ids.map { tensors[$0, default: TensorPartial(gradient: GradientName($0))] })
        partial.costEvaluations = coordinates.count * method.evaluationsPerCoordinate
        partial.leadingNotes = notes
        partial.trailingNotes = PreflightNotes.notes(network: network, pass: floorModel.sampledPass, epsilon: Self.centralStep(options))
        partial.float32Gradients = Self.sentFloat32Gradients(gradients)
        partial.elapsedSeconds = Self.secondsSince(started)
        return partial
    }

    /// The full report from every shard of one check (any order): indices 0..<n exactly once,
    /// the same options and tensors in each. `elapsedSeconds` is the slowest shard's (they run
    /// side by side).
    public static func merge(_ shards: [ShardPartial]) throws(MergeFailure) -> GradientCheckReport {
        guard let any = shards.first else { throw .invalid("no shards to merge") }
        let count = any.shard.count
        for shard in shards where shard.shard.count != count {
            throw .invalid("the shards disagree on their count: \(count) and \(shard.shard.count)")
        }
        let ordered = shards.sorted { $0.shard.index < $1.shard.index }
        let first = ordered[0]
        let indices = ordered.map(\.shard.index)
        if indices != Array(0..<count) {
            let missing = Set(0..<count).subtracting(indices).sorted()
            var seen = Set<Int>()
            var repeated: [Int] = []
            for i in indices where !seen.insert(i).inserted { repeated.append(i) }
            var problems: [String] = []
            if !missing.isEmpty { problems.append("missing index \(missing.map(String.init).joined(separator: ", "))") }
            if !repeated.isEmpty { problems.append("index \(repeated.map(String.init).joined(separator: ", ")) given more than once") }
            let outside = indices.filter { $0 < 0 || $0 >= count }
            if !outside.isEmpty { problems.append("index \(outside.map(String.init).joined(separator: ", ")) outside 0..<\(count)") }
            throw .invalid("a merge needs every shard index 0..<\(count) exactly once: " + problems.joined(separator: "; "))
        }
        for shard in ordered.dropFirst() {
            if shard.fingerprint != first.fingerprint {
                throw .invalid(
                    "shard \(shard.shard.index) checked a different network or options than shard \(first.shard.index) (fingerprint \(shard.fingerprint) vs \(first.fingerprint))"
                )
            }
            if shard.epsilon != first.epsilon || shard.threshold != first.threshold || shard.method != first.method
                || shard.methodUsed != first.methodUsed || shard.precision != first.precision
            {
                throw .invalid(
                    "shard \(shard.shard.index) was checked with other options (epsilon, threshold, method, dtype) than shard \(first.shard.index)"
                )
            }
            if shard.tensors.map(\.gradient) != first.tensors.map(\.gradient) {
                throw .invalid(
                    "shard \(shard.shard.index) lists other tensors (\(shard.tensors.map(\.name).joined(separator: ", "))) than shard \(first.shard.index) (\(first.tensors.map(\.name).joined(separator: ", ")))"
                )
            }
        }
        for shard in ordered {
            for tensor in shard.tensors {
                if let problem = tensor.inconsistency {
                    throw .invalid("shard \(shard.shard.index)'s \(tensor.name) is inconsistent (edited?): \(problem)")
                }
            }
        }
        var tensors = first.tensors
        for shard in ordered.dropFirst() {
            for i in tensors.indices { tensors[i].merge(shard.tensors[i]) }
        }
        return mergedReport(tensors: tensors, first: first, shards: ordered)
    }

    private static func mergedReport(tensors: [TensorPartial], first: ShardPartial, shards: [ShardPartial]) -> GradientCheckReport {
        var a2 = ScaledSum()
        var n2 = ScaledSum()
        var d2 = ScaledSum()
        var f2 = ScaledSum()
        for t in tensors {
            a2.add(t.analyticSquares)
            n2.add(t.numericSquares)
            d2.add(t.differenceSquares)
            f2.add(t.floorErrorSquares)
        }
        let compared = tensors.reduce(0) { $0 + $1.comparedCount }
        let a = a2.root
        let n = n2.root
        let denominator = a + n
        let difference = denominator == 0 ? 0 : d2.root / denominator
        let u = first.precision.unitRoundoff
        let floor = denominator > 0 ? u * f2.root / denominator : 0
        let kinkCount = tensors.reduce(0) { $0 + $1.kinkCount }
        let subgradientCount = tensors.reduce(0) { $0 + $1.subgradientCount }
        let outcome = CheckOutcome(
            difference: difference, floor: floor, comparedNothing: compared == 0,
            costEvaluations: shards.reduce(0) { $0 + $1.costEvaluations }, checkedCount: tensors.reduce(0) { $0 + $1.checkedCount },
            kinkCount: kinkCount,
            parameters: tensors.map { tensorReport($0, threshold: first.threshold, unitRoundoff: u) },
            notes: coordinateNotes(kinkCount: kinkCount, subgradientCount: subgradientCount, comparedNothing: compared == 0))
        var merged = GradientCheckReport(
            outcome: outcome,
            settings: CheckSettings(
                epsilon: first.epsilon, threshold: first.threshold, method: first.method, methodUsed: first.methodUsed,
                mode: .full, precision: first.precision),
            leadingNotes: first.leadingNotes, trailingNotes: first.trailingNotes, float32Gradients: first.float32Gradients,
            elapsedSeconds: shards.map(\.elapsedSeconds).max() ?? 0)
        merged.notes.append(shardedNote(count: shards.count))
        return merged
    }

    /// `TensorComparison.report` from sums: the same difference, floor and verdict.
    private static func tensorReport(_ t: TensorPartial, threshold: Double, unitRoundoff u: Double) -> ParameterReport {
        let a = t.analyticSquares.root
        let n = t.numericSquares.root
        let residual = t.differenceSquares.root
        let difference = a.isNaN || n.isNaN ? .nan : a + n == 0 ? 0 : residual / (a + n)
        let floor = a + n > 0 ? u * t.floorErrorSquares.root / (a + n) : 0
        let band = VerdictRule.Band(maxRelativeError: t.excessRelativeError, kinks: t.kinkCount)
        let outcome = VerdictRule.tensorOutcome(
            difference: difference, threshold: threshold, floor: floor, band: band, distinguishable: t.distinguishableCount > 0)
        let (ratio, diagnosis) = outcome == .failed ? explain(t, analyticNorm: a, numericNorm: n) : (nil, nil)
        return ParameterReport(
            gradient: t.gradient, difference: difference, passed: outcome == .passed, inconclusive: outcome == .inconclusive,
            checkedCount: t.checkedCount,
            worst: t.worst, ratio: ratio, diagnosis: diagnosis, kinkCount: t.kinkCount,
            kinkExamples: t.kinkExamples, subgradientCount: t.subgradientCount, floor: floor,
            maxRelativeError: t.maxRelativeError, band: band,
            entries: nil)
    }

    /// `TensorComparison.explain` from sums: ||a - r n||^2 = a.a - 2 r a.n + r^2 n.n.
    private static func explain(_ t: TensorPartial, analyticNorm a: Double, numericNorm n: Double) -> (Double?, String?) {
        let name = t.gradient.name
        if let zero = TensorComparison.zeroSideExplanation(name, analyticNorm: a, numericNorm: n) { return zero }
        // In one unit (the largest of the three scales), so no square is formed at 1e-200 or 1e200.
        let unit = max(t.analyticSquares.scale, t.numericSquares.scale, t.products.scale)
        let aa = t.analyticSquares.value(inUnitsOf: unit)
        let dot = t.products.value(inUnitsOf: unit)
        let nn = t.numericSquares.value(inUnitsOf: unit)
        let r = dot / nn
        let misfit = unit * max(0, aa - 2 * r * dot + r * r * nn).squareRoot()
        if let scaled = TensorComparison.ratioExplanation(name, ratio: r, misfitNorm: misfit, analyticNorm: a) {
            return scaled
        }
        return (
            nil,
            "\(name) disagrees with the numerical gradient (\(t.comparedCount) \(t.comparedCount == 1 ? "entry" : "entries") compared; the worst is at \(t.worst.map(\.index.description) ?? "none"))"
        )
    }
}
