/// The answer of a gradient check: the notebook's verdict plus what is wrong, where and how.
public struct GradientCheckReport: Sendable {
    /// The notebook's ||grad - gradapprox|| / (||grad|| + ||gradapprox||) over the checked
    /// coordinates (or directions), kink coordinates left out.
    public var difference: Double
    /// difference <= threshold (the notebook flags only difference > threshold), when the
    /// numbers can decide (`inconclusive`).
    public var passed: Bool
    /// The numbers cannot decide: nothing was compared (every coordinate a kink), or rounding
    /// alone explains a difference a wrong gradient would give (`VerdictRule.undecidableLimit`).
    /// `passed` is then false.
    public var inconclusive = false
    /// The notebook's own sentence for the verdict.
    public var message: String
    public var epsilon: Double
    public var threshold: Double
    /// The method asked for.
    public var method: DifferenceMethod
    /// The method actually used (differs when the engine does not support the one asked for).
    public var methodUsed: DifferenceMethod
    public var mode: GradientCheckOptions.Mode
    /// Cost evaluations of the numerical side (2 per coordinate or direction for central).
    public var costEvaluations: Int
    public var elapsedSeconds: Double
    /// Coordinates (or directions) compared, including those excluded as kinks.
    public var checkedCount: Int
    /// How many of those were left out of the verdict because they cross a ReLU kink.
    public var kinkCount: Int
    /// Per tensor, in W1, b1, W2, ... order; empty in directional mode.
    public var parameters: [ParameterReport]
    /// Per direction; empty unless mode is directional.
    public var directions: [DirectionReport]
    /// Plain-language remarks: kinks excluded, method fallback, directional limits.
    public var notes: [String]
    /// The caller's intermediates (dZ_l, dA_l) checked numerically, in computed order.
    public var intermediates: [ParameterReport] = []
    /// Which steps of the caller's backward are wrong, and what they spoil (empty when the
    /// service checked its own backward, or the mode cannot tell).
    public var diagnosis: BackwardDiagnosis = .none
    /// The precision the caller's gradients were computed in, the difference rounding alone can
    /// produce there (`RoundingFloor`), and which rule decided the verdict.
    public var precision: Precision = .float64
    public var floor: Double = 0
    public var explanation: String = ""

    /// Tensors that failed, e.g. ["W2", "b1"] (not those that are inconclusive).
    public var failedParameters: [String] { parameters.filter { !$0.passed && !$0.inconclusive }.map(\.name) }
}

/// One entry of a tensor: row and column (column 0 for biases).
public struct EntryIndex: Sendable, Equatable, CustomStringConvertible {
    public let row: Int
    public let col: Int
    public init(row: Int, col: Int) {
        self.row = row
        self.col = col
    }
    public var description: String { "[\(row)][\(col)]" }
}

/// The entry of a tensor where analytic and numeric disagree most.
public struct WorstEntry: Sendable, Equatable {
    public let index: EntryIndex
    public let analytic: Double
    public let numeric: Double

    public init(index: EntryIndex, analytic: Double, numeric: Double) {
        self.index = index
        self.analytic = analytic
        self.numeric = numeric
    }
}

/// The check of one tensor: a parameter's gradient (reported under W1, b1, ...) or an
/// intermediate one (dZ2, dA1, reported under its own name).
public struct ParameterReport: Sendable {
    public let gradient: GradientName
    /// The parameter, for dW and db; nil for intermediates.
    public var id: ParameterID? { gradient.parameter }
    /// The key it is reported under: `W1` for dW1, `dZ2` for dZ2.
    public var name: String { gradient.reportKey }
    /// The notebook's formula over this tensor's checked, kink-free entries; 0 when analytic and
    /// numeric are both (near) zero.
    public let difference: Double
    public let passed: Bool
    /// The numbers cannot decide for this tensor: every entry is below the absolute floor
    /// (`VerdictRule.absoluteFloor`), none was compared, or its floor is too large
    /// (`VerdictRule.undecidableLimit`). `passed` is then false.
    public let inconclusive: Bool
    /// Entries compared (kinks included).
    public let checkedCount: Int
    /// nil when no kink-free entry was compared.
    public let worst: WorstEntry?
    /// analytic / numeric when it is the same across the tensor (2.0 for the notebook's dW2).
    public let ratio: Double?
    /// e.g. "dW2 is 2.000 times the numerical gradient"; nil when nothing systematic is seen.
    public let diagnosis: String?
    /// Entries whose +/- eps perturbation switched a ReLU unit: left out of the verdict.
    public let kinkCount: Int
    /// The first few kink entries.
    public let kinkExamples: [EntryIndex]
    /// Kink entries checked as subgradients: between their one-sided quotients, or wrong.
    public let subgradientCount: Int
    /// The difference rounding alone can produce in this tensor at the caller's precision.
    public let floor: Double
    /// CS231n's per-entry form: max |a - n| / max(|a|, |n|) over the compared entries.
    public let maxRelativeError: Double
    /// CS231n's band of the largest relative error rounding does not explain (an entry's
    /// |a - n| less 10x its rounding estimate, over max(|a|, |n|)): "wrong" never passes.
    public let band: VerdictRule.Band
    /// Every entry's analytic and numeric value; nil unless `GradientCheckOptions.keepsEntries`.
    public let entries: TensorEntries?

    /// e.g. "2 entries of W1 cross a ReLU kink and were left out of the verdict: [0][0], [1][2]";
    /// nil when there are none.
    public var kinkNote: String? {
        guard kinkCount > 0 else { return nil }
        let shown = kinkExamples.map(\.description).joined(separator: ", ")
        let more = kinkCount > kinkExamples.count ? ", ..." : ""
        let fate =
            subgradientCount == kinkCount
            ? "checked as \(kinkCount == 1 ? "a subgradient" : "subgradients") (between the one-sided quotients)"
            : "left out of the verdict"
        return
            "\(kinkCount) \(kinkCount == 1 ? "entry" : "entries") of \(name) \(kinkCount == 1 ? "crosses" : "cross") a ReLU kink and \(kinkCount == 1 ? "was" : "were") \(fate): \(shown)\(more)"
    }
}

/// One random direction of a directional check.
public struct DirectionReport: Sendable, Equatable {
    /// grad . u
    public let analytic: Double
    /// the numerical derivative of the cost along u
    public let numeric: Double
    public let crossesKink: Bool
}
