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

    /// "10^5 above", or "above" when the floor is zero.
    static func aboveFloor(_ d: Double, _ f: Double) -> String {
        let ratio = d / f
        guard f > 0, ratio.isFinite, ratio >= 10 else { return "above" }
        let k = Int(Foundation.floor(Foundation.log10(ratio)))
        return k >= 1 ? "10^\(k) times above" : "above"
    }

    /// CS231n's relative error of one entry: |a - n| / max(|a|, |n|) (0 when both are 0).
    static func relativeError(_ a: Double, _ n: Double) -> Double {
        let scale = max(abs(a), abs(n))
        return scale == 0 ? 0 : abs(a - n) / scale
    }
}
