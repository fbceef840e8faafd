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
        let passed = difference <= VerdictRule.limit(threshold: settings.threshold, floor: floor) && !outcome.comparedNothing
        var notes = leadingNotes + outcome.notes + trailingNotes
        // Judged as float64 (the default) while the gradients are float32 values whose difference
        // is beyond float64's rounding but within float32's: say so, passed or not.
        let float32Floor = floor * GradientChecker.float32Scale
        let looksFloat32 =
            settings.precision == .float64 && !outcome.comparedNothing
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
        let explanation =
            looksFloat32
            ? Self.float32Explanation(difference: difference, threshold: settings.threshold, float32Floor: float32Floor, passed: passed)
            : VerdictRule.explanation(
                difference: difference, threshold: settings.threshold, floor: floor, precision: settings.precision, passed: passed)
        self.init(
            difference: difference, passed: passed,
            message: outcome.comparedNothing
                ? GradientChecker.inconclusiveMessage : GradientChecker.message(difference: difference, passed: passed),
            epsilon: settings.epsilon, threshold: settings.threshold, method: settings.method, methodUsed: settings.methodUsed,
            mode: settings.mode, costEvaluations: outcome.costEvaluations, elapsedSeconds: elapsedSeconds,
            checkedCount: outcome.checkedCount, kinkCount: outcome.kinkCount,
            parameters: outcome.parameters, directions: outcome.directions, notes: notes, precision: settings.precision,
            floor: floor, explanation: explanation)
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
