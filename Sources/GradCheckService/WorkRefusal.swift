import Foundation
import GradCheck

/// Work priced over `ComputeLimits.maxOperations`, worded for the client in one place. The core
/// only counts (`WorkEstimate`, and `StopSignal` when the engine re-prices at the check point);
/// every 422 for too much arithmetic reads `<what> <priced> at N operations..., over the budget
/// of B; <what to change>` and names the field to change.
struct WorkRefusal: Sendable, Equatable {
    enum Priced: Sendable, Equatable {
        /// `/forward` or `/backward`: one pass, which cannot be stopped halfway.
        case pass
        /// `/gradcheck`, priced before it starts.
        case check(WorkEstimate)
        /// `/gradcheck`, re-priced by the engine once it had looked at the check point (ReLU units
        /// on their kinks); `coordinates`: what it was to compare.
        case checkPoint(coordinates: Int)
    }

    let priced: Priced
    let operations: Double
    let budget: Double

    /// Refusals quote seconds on the project's 2-core reference machine, not on the replica that
    /// answers, so every replica refuses one request in the same words.
    static let quotedCores = 2

    /// What the client should change: a pass has no cheaper mode, only less data.
    var field: RequestField {
        switch priced {
        case .pass: .inputs
        case let .check(estimate) where estimate.shard != nil: .shard
        case .check, .checkPoint: .mode
        }
    }

    var detail: String {
        let over = "over the budget of \(WorkEstimate.scientific(budget))"
        switch priced {
        case .pass:
            return
                "this request is estimated at \(WorkEstimate.scientific(operations)) operations, \(over); send fewer examples or a smaller network"
        case let .check(estimate):
            let seconds = estimate.seconds(onCores: Self.quotedCores)
            let priced =
                "is estimated at \(WorkEstimate.scientific(operations)) operations (about \(WorkEstimate.scientific(seconds)) s on \(Self.quotedCores) cores; \(estimate.comparisons) coordinates, \(estimate.costEvaluations) cost evaluations), \(over)"
            if let shard = estimate.shard { return "this shard \(priced); \(moreShards(estimate, shard))" }
            let perCoordinate = max(
                estimate.operationsPerSampledCoordinate, (operations - estimate.repeatedOperations) / Double(max(1, estimate.comparisons)))
            guard let sample = sampleAdvice(perCoordinate: perCoordinate, setup: estimate.repeatedOperations) else {
                return "this check \(priced); \(Self.cheaperModes)"
            }
            return "\(sample) first; the full check \(priced)"
        case let .checkPoint(coordinates):
            // The engine's price includes the setup; spread over the coordinates, it overstates
            // a coordinate's share, so the sample it sizes fits with room to spare.
            let advice =
                sampleAdvice(perCoordinate: operations / Double(max(1, coordinates)), setup: 0) ?? Self.cheaperModes
            return
                "\(advice) first; a full check of this ReLU network at this point is priced at \(WorkEstimate.scientific(operations)) operations, \(over) (many units sit at their kinks, and those coordinates cost more)"
        }
    }

    /// "use "mode": "sample" with "samples": 2000: about 0.4 s (or "mode": "directional" with
    /// "directions": k)": a sample that fits in half of what the setup leaves of the budget (a
    /// sampled coordinate can cost more than a full check's average), rounded down to 1, 2 or 5
    /// times a power of ten (at most 10,000), and what it takes on the quoted cores. Nil when not
    /// even 10 coordinates fit.
    func sampleAdvice(perCoordinate: Double, setup: Double) -> String? {
        guard perCoordinate > 0, budget > setup else { return nil }
        let fits = min(10_000, 0.5 * (budget - setup) / perCoordinate)
        guard fits >= 10 else { return nil }
        let decade = Foundation.pow(10, Foundation.floor(Foundation.log10(fits)))
        let samples = Int([5, 2, 1].map { $0 * decade }.first { $0 <= fits } ?? decade)
        let seconds = (setup + Double(samples) * perCoordinate) / (Double(Self.quotedCores) * WorkEstimate.operationsPerSecondPerCore)
        let mode = RequestField.mode.rawValue
        return
            "use \"\(mode)\": \"\(GradientCheckOptions.Mode.Kind.sample.rawValue)\" with \"\(RequestField.samples.rawValue)\": \(samples): \(Self.duration(seconds)) on \(Self.quotedCores) cores (or \"\(mode)\": \"\(GradientCheckOptions.Mode.Kind.directional.rawValue)\" with \"\(RequestField.directions.rawValue)\": k)"
    }

    /// "about 0.43 s", "about 12 s", "under 0.01 s": two significant digits, read by a person.
    static func duration(_ value: Double) -> String {
        guard value.isFinite, value >= 0.01 else { return "under 0.01 s" }
        let digits = max(0, 1 - Int(Foundation.floor(Foundation.log10(value))))
        return "about " + String(format: "%.\(digits)f", value) + " s"
    }

    /// The advice for a shard over the budget: the same check in more, smaller parts, when a part
    /// can fit at all. The parts carry about equal shares, so n parts need
    /// repeated + (this part's share x count) / n <= budget.
    func moreShards(_ estimate: WorkEstimate, _ shard: ShardSpec) -> String {
        let repeated = estimate.repeatedOperations
        let work = (operations - repeated) * Double(shard.count)
        guard budget > repeated, work > 0 else {
            return
                "every part repeats \(WorkEstimate.scientific(repeated)) operations of setup and passes, so no split fits; \(Self.cheaperModes)"
        }
        let needed = (work / (budget - repeated)).rounded(.up)
        guard needed <= Double(ShardSpec.maxCount) else {
            return "it would take more than \(ShardSpec.maxCount) parts to fit; \(Self.cheaperModes)"
        }
        return
            "split the check into more parts (\"\(RequestField.shard.rawValue)\": {\"\(ShardField.count.rawValue)\": \(max(shard.count + 1, Int(needed)))} or more; each part is priced by its own coordinates)"
    }

    /// The advice for a check: the two modes that price a fixed number of comparisons.
    static let cheaperModes =
        "use \"\(RequestField.mode.rawValue)\": \"\(GradientCheckOptions.Mode.Kind.sample.rawValue)\" with \"\(RequestField.samples.rawValue)\": k or \"\(RequestField.mode.rawValue)\": \"\(GradientCheckOptions.Mode.Kind.directional.rawValue)\" with \"\(RequestField.directions.rawValue)\": k for a cheaper check"
}
