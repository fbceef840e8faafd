/// The verdict on one gradient of a layer or network check (`dx`, `conv1.dw`).
public struct GradientVerdict: Sendable {
    /// `dx` in a layer check, `conv1.dw` in a network check.
    public let name: String
    /// The caller's gradient (or the service's own backward), and the numerical estimate it was
    /// compared with: the central quotient at a smooth entry, the nearest subgradient at a kink.
    public let analytic: Tensor
    public let numeric: Tensor
    /// The notebook's ||a - n|| / (||a|| + ||n||) over this gradient.
    public let difference: Double
    /// CS231n's `rel_error`: max |a - n| / max(1e-8, |a| + |n|) over the entries.
    public let relError: Double
    /// The largest difference rounding explains here (see `LayerJudge`).
    public let floor: Double
    public let passed: Bool
    /// Rounding at this step size is as large as the gradient itself: neither verdict is earned.
    public let inconclusive: Bool
    /// CS231n's band of the largest per-entry error that rounding does not explain.
    public let band: VerdictRule.Band
    /// Entries judged as subgradient points (one-sided quotients apart), and tied groups checked
    /// jointly (their shares must sum to the directional derivative).
    public let kinks: Int
    public let tiedGroups: Int
    /// The entry with the largest |a - n|, by its multi-dimensional index.
    public let worst: Entry?
    /// Entries wrong beyond rounding, at most `listedEntries`, and how many there are in all.
    public let wrongEntries: [[Int]]
    public let wrongCount: Int
    /// Every entry, sent and numerical, is within rounding of zero: inconclusive on its own
    /// scale (`LayerJudge`), and the answer's notes say why.
    public var zeroWithinRounding = false
    /// Per entry, the truncation an extrapolated quotient may still carry, allowed beside its
    /// rounding; empty unless the verdict was taken on Richardson's extrapolation
    /// (`TruncationRefinement`), at the step `extrapolatedFromStep`.
    public var truncation: [Double] = []
    public var extrapolatedFromStep: Double?

    public struct Entry: Sendable, Equatable {
        public let index: [Int]
        public let analytic: Double
        public let numeric: Double
    }

    public static let listedEntries = 20

    public var checked: Int { analytic.count }

    /// What the answer's notes say of this gradient: why it has no verdict when it is zero
    /// within rounding, and that it was judged on an extrapolation when the step was too large.
    public var notes: [String] {
        [zeroNote, extrapolatedFromStep.map { TruncationRefinement.note(self, step: $0) }].compactMap { $0 }
    }

    /// Why a gradient that is zero within rounding has no verdict, in a note (nil otherwise).
    public var zeroNote: String? {
        guard zeroWithinRounding else { return nil }
        let largest = zip(analytic.values, numeric.values).reduce(0) { max($0, abs($1.0), abs($1.1)) }
        return
            "\(name) is zero to within rounding: every entry, sent and numerical, is at most \(WorkEstimate.scientific(largest)), within 10x what rounding explains, so on its own scale it is noise and no verdict is earned (a larger step does not help when the true gradient is zero: a bias before a batch norm, whose effect the norm takes away, is such a gradient); leave it out of gradients to judge the rest"
    }
}
