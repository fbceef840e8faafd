import Foundation

/// How a difference becomes a verdict, and the sentences that say why.
///
/// The notebook's rule is difference <= threshold. A difference can also come from rounding
/// alone, when the caller's backward ran in a low precision: the rounding floor (see
/// `RoundingFloor`) bounds what an honest implementation produces, so the limit is
/// max(threshold, safetyFactor x floor). The safety factor covers what the probabilistic model
/// leaves to chance (its sqrt(n) is a typical size, not a bound).
public enum VerdictRule {
    public static let safetyFactor = 10.0

    /// The largest difference that passes.
    public static func limit(threshold: Double, floor: Double) -> Double {
        max(threshold, safetyFactor * floor)
    }

    /// The difference rounding may account for (safetyFactor x floor) at and above which no
    /// verdict is earned: the floor is about half the relative error an honest gradient
    /// carries, so 10x the floor reaching 1/2 means rounding alone may move the gradient by as
    /// much as its own size (its sign included), and a right gradient and a wrong one (zero,
    /// sign-flipped, three times too large: each a difference of 1/2 or more) fall within the
    /// same limit. Below it, every such mistake fails.
    public static let undecidableLimit = 0.5

    /// What the numbers say: the verdict, or that they cannot give one.
    public enum Outcome: Sendable, Equatable {
        case passed
        case failed
        case inconclusive
    }

    /// Passed when the difference is at or below the threshold (the notebook's rule decides by
    /// itself); failed when it is above the limit (rounding cannot explain it, however large the
    /// floor); in between it passes by the floor, unless the floor is so large that a wrong
    /// gradient would pass the same way (`undecidableLimit`): then inconclusive.
    public static func outcome(difference d: Double, threshold t: Double, floor f: Double) -> Outcome {
        if d <= t { return .passed }
        if !(d <= limit(threshold: t, floor: f)) { return .failed }
        return decides(floor: f) ? .passed : .inconclusive
    }

    /// Whether a floor leaves room for a wrong gradient to fail (`undecidableLimit`).
    public static func decides(floor f: Double) -> Bool { safetyFactor * f < undecidableLimit }

    /// CS231n's per-entry bands for max |a - n| / max(|a|, |n|): > 1e-2 wrong, 1e-2..1e-4
    /// uncomfortable, 1e-4..1e-7 acceptable with kinks, < 1e-7 good. A tensor with no kinks is
    /// never "acceptable with kinks": CS231n calls 1e-4..1e-7 too high without them, so it is
    /// uncomfortable there.
    public enum Band: String, Sendable {
        case good
        case acceptableWithKinks = "acceptable with kinks"
        case uncomfortable
        case wrong

        public init(maxRelativeError e: Double, kinks: Int) {
            if !(e <= 1e-2) {
                self = .wrong
            } else if e > 1e-4 {
                self = .uncomfortable
            } else if e > 1e-7 {
                self = kinks > 0 ? .acceptableWithKinks : .uncomfortable
            } else {
                self = .good
            }
        }
    }

    /// Which rule decided, in one sentence.
    public static func explanation(
        difference d: Double, threshold t: Double, floor f: Double, precision: Precision,
        passed: Bool
    ) -> String {
        let floorText = "rounding in \(precision.rawValue) explains differences up to about \(WorkEstimate.scientific(f)) (the floor)"
        if passed && d <= t {
            return
                "passed by the notebook's rule: the difference \(WorkEstimate.scientific(d)) is at or below the threshold \(WorkEstimate.scientific(t)); \(floorText)"
        }
        if passed {
            return
                "passed by the rounding floor: the difference \(WorkEstimate.scientific(d)) is above the threshold \(WorkEstimate.scientific(t)) but consistent with \(precision.rawValue) rounding (within \(Int(safetyFactor))x the floor \(WorkEstimate.scientific(f)))"
        }
        return
            "failed: the difference \(WorkEstimate.scientific(d)) is above the threshold \(WorkEstimate.scientific(t)) and \(aboveFloor(d, f)) what \(precision.rawValue) rounding explains (the floor \(WorkEstimate.scientific(f)))"
    }

    /// Why the numbers cannot decide, in one sentence (`undecidableLimit`).
    public static func inconclusiveExplanation(difference d: Double, floor f: Double, precision: Precision) -> String {
        "inconclusive: the difference \(WorkEstimate.scientific(d)) is above the threshold, and rounding in \(precision.rawValue) explains differences up to about \(WorkEstimate.scientific(f)) (the floor), so within \(Int(safetyFactor))x the floor a gradient wrong by as much as its own size would pass as well as a right one: the numbers cannot decide"
    }

    /// "10^5 above", or "above" when the floor is zero.
    static func aboveFloor(_ d: Double, _ f: Double) -> String {
        let ratio = d / f
        guard f > 0, ratio.isFinite, ratio >= 10 else { return "above" }
        let k = Int(Foundation.floor(Foundation.log10(ratio)))
        return k >= 1 ? "10^\(k) times above" : "above"
    }

    /// A difference of a tensor above this is CS231n's "wrong" however it is judged (a relative
    /// error of 1%): a tensor that wrong fails the whole check even when the notebook's
    /// difference over all tensors passes (a tiny tensor barely moves it).
    public static let wrongTensorDifference = 1e-2

    /// The magnitude at or below which an entry is indistinguishable from zero: the subnormal
    /// spacing of the caller's format, or the smallest gradient whose change over the step
    /// (g x step) float64 still holds (2^-1074 / step), whichever is larger.
    public static func absoluteFloor(precision: Precision, step: Double) -> Double {
        max(precision.subnormalSpacing, 0x1p-1074 / step)
    }

    /// CS231n's relative error of one entry beyond what rounding explains: (|a - n| - tolerance)
    /// / max(|a|, |n|), 0 when rounding explains it all. Its band is the tensor's band, so a
    /// tensor that passes by its floor is not called "wrong" by the entries the floor explains.
    static func excessRelativeError(_ a: Double, _ n: Double, tolerance: Double) -> Double {
        let scale = max(abs(a), abs(n))
        guard scale > 0 else { return 0 }
        let excess = abs(a - n) - tolerance
        return excess.isNaN ? .nan : max(0, excess) / scale
    }

    /// A tensor's verdict, on its own scale: inconclusive when no entry stands above the
    /// absolute floor (`distinguishable` false); failed when its band is "wrong" (an entry off by
    /// more than 1% beyond rounding) or its difference is above the limit; then `outcome`.
    static func tensorOutcome(difference: Double, threshold: Double, floor: Double, band: Band, distinguishable: Bool) -> Outcome {
        guard distinguishable else { return .inconclusive }
        if band == .wrong { return .failed }
        return outcome(difference: difference, threshold: threshold, floor: floor)
    }

    /// CS231n's relative error of one entry: |a - n| / max(|a|, |n|) (0 when both are 0).
    static func relativeError(_ a: Double, _ n: Double) -> Double {
        let scale = max(abs(a), abs(n))
        return scale == 0 ? 0 : abs(a - n) / scale
    }
}
