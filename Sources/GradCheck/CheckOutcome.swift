/// What a check measured, before it is worded as a report. Coordinate checks, directional
/// checks and merged shards each produce one; `GradientCheckReport.init(outcome:...)` is the one
/// place a report's verdict, message, explanation and notes are put together from it.
struct CheckOutcome {
    /// The notebook's difference over what was compared.
    var difference: Double
    /// The difference rounding alone can produce at the caller's precision (`RoundingFloor`).
    var floor: Double
    /// Every coordinate or direction was left out as a kink: nothing was compared, and a check
    /// that compared nothing has not passed.
    var comparedNothing: Bool
    var costEvaluations: Int
    var checkedCount: Int
    var kinkCount: Int
    var parameters: [ParameterReport] = []
    var directions: [DirectionReport] = []
    /// The notes the counts give (kinks, directions left unlisted).
    var notes: [String]
}

/// What the caller asked for and what ran, stated in the report as they are.
struct CheckSettings {
    var epsilon: Double
    var threshold: Double
    var method: DifferenceMethod
    var methodUsed: DifferenceMethod
    var mode: GradientCheckOptions.Mode
    var precision: Precision
}

extension GradientCheckReport {
    /// The report of `outcome`, its notes in the order the answer reads them: `leadingNotes`
    /// (about the gradients and the method), the counts', `trailingNotes` (pre-flight), and the
    /// float32 hint when it applies. `float32Gradients` is only evaluated when the hint could
    /// apply: it reads every gradient entry.
    init(
        outcome: CheckOutcome, settings: CheckSettings, leadingNotes: [String], trailingNotes: [String],
        float32Gradients: @autoclosure () -> Bool, elapsedSeconds: Double
    ) {
        let difference = outcome.difference
        let floor = outcome.floor
        var verdict =
            outcome.comparedNothing
            ? .inconclusive : VerdictRule.outcome(difference: difference, threshold: settings.threshold, floor: floor)
        var notes = leadingNotes + outcome.notes + trailingNotes
        // A tensor judged wrong on its own scale fails the whole check: a tiny tensor barely
        // moves the difference over all of them, so the notebook's rule alone would pass it.
        let wrong = outcome.parameters.filter {
            !$0.passed && !$0.inconclusive && !($0.difference <= VerdictRule.wrongTensorDifference)
        }
        if verdict != .failed, !wrong.isEmpty {
            verdict = .failed
            notes.append(
                "the difference over all tensors is within the limit, but \(wrong.map(\.name).joined(separator: ", ")) \(wrong.count == 1 ? "fails" : "fail") on \(wrong.count == 1 ? "its" : "their") own scale (a difference above \(WorkEstimate.scientific(VerdictRule.wrongTensorDifference)) there, beyond what rounding explains): a tensor whose gradient is small next to the others, or an entry rounding cannot hide, barely moves the whole difference, so the check fails"
            )
        }
        // Every tensor inconclusive on its own (each entry at or below what the dtype tells from
        // zero, say): a difference of 0 / 0 over them has earned nothing either.
        let undecided = !outcome.parameters.isEmpty && outcome.parameters.allSatisfy(\.inconclusive)
        if verdict == .passed, undecided { verdict = .inconclusive }
        let passed = verdict == .passed
        // Judged as float64 (the default) while the gradients are float32 values whose difference
        // is beyond float64's rounding but within float32's: say so, passed or not.
        let float32Floor = floor * GradientChecker.float32Scale
        let looksFloat32 =
            settings.precision == .float64 && verdict != .inconclusive && wrong.isEmpty
            && difference > VerdictRule.limit(threshold: 0, floor: floor)
            && difference <= VerdictRule.limit(threshold: settings.threshold, floor: float32Floor) && float32Gradients()
        if looksFloat32 && !passed {
            notes.append(
                "every gradient you sent is a float32 value, and the difference is within what float32 rounding explains (floor \(WorkEstimate.scientific(float32Floor))): if your forward and backward ran in float32, send \"dtype\": \"float32\""
            )
        } else if looksFloat32 {
            notes.append(
                "every gradient you sent is a float32 value, and the difference \(WorkEstimate.scientific(difference)) is float32 rounding (float32's floor here is \(WorkEstimate.scientific(float32Floor))), not float64's: if your forward and backward ran in float32, send \"dtype\": \"float32\" to be judged against float32's rounding"
            )
        }
        let inconclusiveTensors = outcome.parameters.filter(\.inconclusive).map(\.name)
        if verdict == .passed, !inconclusiveTensors.isEmpty {
            notes.append(
                "\(inconclusiveTensors.joined(separator: ", ")) \(inconclusiveTensors.count == 1 ? "is" : "are") inconclusive on \(inconclusiveTensors.count == 1 ? "its" : "their") own: every entry is below what rounding can tell from zero, or rounding explains a difference as large as a wrong gradient's; the verdict rests on the other tensors"
            )
        }
        let message: String
        switch verdict {
        case .inconclusive:
            message =
                outcome.comparedNothing
                ? GradientChecker.inconclusiveMessage
                : undecided && difference <= settings.threshold
                    ? GradientChecker.noTensorDecidesMessage(precision: settings.precision)
                    : GradientChecker.roundingInconclusiveMessage(difference: difference, floor: floor, precision: settings.precision)
        case .passed, .failed: message = GradientChecker.message(difference: difference, passed: passed)
        }
        var explanation =
            verdict == .inconclusive && undecided && difference <= settings.threshold
            ? "inconclusive: no tensor could be judged on its own (every one is inconclusive), so the difference \(WorkEstimate.scientific(difference)) over them has earned nothing"
            : verdict == .inconclusive && !outcome.comparedNothing
                ? VerdictRule.inconclusiveExplanation(difference: difference, floor: floor, precision: settings.precision)
                : looksFloat32
                    ? Self.float32Explanation(
                        difference: difference, threshold: settings.threshold, float32Floor: float32Floor, passed: passed)
                    : VerdictRule.explanation(
                        difference: difference, threshold: settings.threshold, floor: floor, precision: settings.precision, passed: passed)
        if !wrong.isEmpty, difference <= VerdictRule.limit(threshold: settings.threshold, floor: floor) {
            explanation =
                "failed: \(wrong.map { "\($0.name) (difference \(WorkEstimate.scientific($0.difference)))" }.joined(separator: ", ")) \(wrong.count == 1 ? "fails" : "fail") on \(wrong.count == 1 ? "its" : "their") own scale, although the difference over all tensors \(WorkEstimate.scientific(difference)) is within the limit"
        }
        self.init(
            difference: difference, passed: passed, message: message,
            epsilon: settings.epsilon, threshold: settings.threshold, method: settings.method, methodUsed: settings.methodUsed,
            mode: settings.mode, costEvaluations: outcome.costEvaluations, elapsedSeconds: elapsedSeconds,
            checkedCount: outcome.checkedCount, kinkCount: outcome.kinkCount,
            parameters: outcome.parameters, directions: outcome.directions, notes: notes, precision: settings.precision,
            floor: floor, explanation: explanation)
        inconclusive = verdict == .inconclusive
    }

    /// The rule's sentence when float32 gradients were judged as float64: it speaks of float32's
    /// rounding, which is what the difference is, not of float64's.
    static func float32Explanation(difference d: Double, threshold t: Double, float32Floor f: Double, passed: Bool) -> String {
        let (dText, tText, fText) = (WorkEstimate.scientific(d), WorkEstimate.scientific(t), WorkEstimate.scientific(f))
        if passed {
            return
                "passed by the notebook's rule: the difference \(dText) is at or below the threshold \(tText); your gradients are float32 values, whose rounding explains differences up to about \(fText) here"
        }
        return
            "failed by the notebook's rule (dtype float64, the default): the difference \(dText) is above the threshold \(tText), but your gradients are float32 values and float32 rounding explains differences up to about \(fText) here: send \"dtype\": \"float32\" if they were computed in float32"
    }
}
