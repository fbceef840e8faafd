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
        /// `/gradcheck`, re-priced by the engine once it had looked at the check point.
        case checkPoint
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
            return
                "this \(estimate.shard == nil ? "check" : "shard") is estimated at \(WorkEstimate.scientific(operations)) operations (about \(WorkEstimate.scientific(seconds)) s on \(Self.quotedCores) cores; \(estimate.comparisons) coordinates, \(estimate.costEvaluations) cost evaluations), \(over); \(estimate.shard.map { moreShards(estimate, $0) } ?? Self.cheaperModes)"
        case .checkPoint:
            return
                "at this check point the check is priced at \(WorkEstimate.scientific(operations)) operations (units on their ReLU kinks take coordinates off the fast path), \(over); \(Self.cheaperModes)"
        }
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
