import Foundation

/// Turns a gradient and its difference quotients into a verdict that is earned.
///
/// Rounding first. Evaluating f in float64 carries an error of about `u * S` (u = 2^-53, S the
/// sum of the absolute values f adds up: |upstream * output| entry by entry), so each quotient
/// carries about `noise = 2 u S / h`: that is the absolute floor of one entry. Over a gradient
/// the notebook's difference can come from rounding up to `floor = sqrt(n) noise / (||a|| + ||n||)`,
/// and the verdict's limit is `VerdictRule.limit` (max(threshold, 10 x floor)).
///
/// - An entry whose one-sided quotients differ by more than rounding and curvature explain
///   (`kinkGap`) is a kink: any value between them is a subgradient, so it is compared with the
///   nearest one (itself when it lies between).
/// - A group of tied entries (a max-pool window's equal maxima) is compared jointly too: the
///   entries' sum must be the directional derivative along all of them, which is smooth there
///   at steps below the gap to the window's runner-up. At a wider step (inputs of 1e-8 at
///   h = 1e-7) moving the group down crosses the runner-up, the direction's one-sided quotients
///   part like a kink's, and the sum is compared with the nearest value between them.
/// - When the limit reaches `inconclusiveLimit` (a gradient wrong by 20% would pass), the
///   verdict is inconclusive, never passed: the step is too small for the function's rounding.
/// - A gradient with an entry wrong beyond rounding (band `wrong`) never passes, however small
///   that entry is next to the others: a tensor is judged on its own entries.
public enum LayerJudge {
    public static let unitRoundoff = 0x1p-53
    public static let inconclusiveLimit = 0.1

    /// One entry's rounding noise, for a function whose absolute sum is `scale`, at step `h`.
    public static func noise(scale: Double, step h: Double) -> Double {
        2 * unitRoundoff * scale / h
    }

    /// What a backward run in `precision` may be off by at one entry: its roundoff grows like the
    /// square root of the terms a sum adds up (`reductionLength`, at most the upstream's or the
    /// inputs' size), times a few for the products around it, relative to the entry; plus its
    /// subnormal spacing where values are that small. Nothing for float64, whose rounding is far
    /// below the central differences'.
    static func callerRounding(_ a: Double, _ n: Double, _ precision: Precision, reductionLength: Int) -> Double {
        guard precision != .float64 else { return 0 }
        let roundoffs = callerRoundoffs * Double(max(1, reductionLength)).squareRoot()
        return roundoffs * precision.unitRoundoff * max(abs(a), abs(n)) + subnormalSpacing(precision)
    }

    /// Roundoffs of the caller's precision per square root of a sum's terms.
    static let callerRoundoffs = 8.0

    /// The gap between consecutive subnormal numbers of the precision.
    static func subnormalSpacing(_ precision: Precision) -> Double {
        switch precision {
        case .float64: 0x1p-1074
        case .float32: 0x1p-149
        case .float16: 0x1p-24
        case .bfloat16: 0x1p-133
        }
    }

    /// One-sided quotients further apart than this are a kink, not curvature or rounding. Each
    /// one-sided quotient is within `noise` of its exact value, so rounding moves them apart by at
    /// most 2 noise. The cut must stay within twice what an entry may be off by (10 noise): a
    /// kink whose one-sided quotients are less than that apart is judged on its central quotient,
    /// which lies halfway, so a subgradient at either end is still within 10 noise of it. (At
    /// 100 noise, a max-pool tie at h = 1e-11, whose quotients were 50 noise apart, was judged
    /// on its central quotient and the right share called wrong.)
    static func kinkGap(_ q: Quotients, noise: Double) -> Double {
        20 * noise + 1e-4 * (abs(q.left) + abs(q.right))
    }

    /// A 2-norm kept as a scaled sum of squares (`ScaledSum`), so entries of 1e200 or 1e-200 do
    /// not overflow or underflow it; an entry that is not finite (a step's noise at 1e308) makes
    /// it infinite, as a plain sum of squares would be.
    struct Norm {
        private var squares = ScaledSum()
        private var infinite = false

        mutating func add(_ v: Double) {
            if v.isFinite { squares.add(v, times: v) } else { infinite = true }
        }

        var root: Double { infinite ? .infinity : squares.root }
    }

    /// x / (a + b), the notebook's ratio, 0 when a + b is 0; divided through by the larger of a
    /// and b first, so two norms near the largest double do not overflow their sum.
    static func ratio(_ x: Double, to a: Double, _ b: Double) -> Double {
        let scale = max(a, b)
        guard scale > 0 else { return 0 }
        return (x / scale) / (a / scale + b / scale)
    }

    /// `joint[c]` holds the quotients along every entry of `ties.components[c]` moved together.
    public static func judge(
        name: String, analytic: Tensor, quotients: [Quotients], ties: TiedComponents, joint: [Quotients],
        noise: Double, threshold: Double, precision: Precision = .float64, reductionLength: Int = 1,
        truncation: [Double] = []
    ) -> GradientVerdict {
        var numeric = [Double](repeating: 0, count: analytic.count)
        var kinks = 0
        var unmeasured = 0
        for (i, q) in quotients.enumerated() {
            let a = analytic.values[i]
            if !q.measurable {
                // Nothing measured here: compared with itself, and the verdict cannot be a pass.
                unmeasured += 1
                numeric[i] = a
            } else if ties.shared.contains(i) {
                // Tied in two or more groups: its share of each is free, and the one-sided
                // quotients only bound sums of shares of one sign; its component's sum judges it.
                kinks += 1
                numeric[i] = a
            } else if abs(q.right - q.left) > kinkGap(q, noise: noise) {
                kinks += 1
                numeric[i] = min(max(a, min(q.left, q.right)), max(q.left, q.right))
            } else {
                numeric[i] = q.central
            }
        }
        let groups = ties.components
        for (group, along) in zip(groups, joint) {
            let sum = group.reduce(0) { $0 + analytic.values[$1] }
            let target =
                abs(along.right - along.left) > kinkGap(along, noise: noise)
                ? min(max(sum, min(along.left, along.right)), max(along.left, along.right)) : along.central
            let excess = sum - target
            if abs(excess) > 10 * noise * Double(group.count).squareRoot() + 1e-6 * abs(target) {
                for i in group { numeric[i] -= excess / Double(group.count) }
            }
        }
        // Scaled sums of squares (`ScaledSum`): gradients of 1e200 (an upstream of 1e300, say)
        // are judged like gradients of 1, instead of their squares overflowing to a NaN verdict.
        var normA = Norm()
        var normN = Norm()
        var normD = Norm()
        var relError = 0.0
        var worst: (i: Int, gap: Double)?
        var wrong: [Int] = []
        var worstBeyondRounding = 0.0
        var spread = Norm()
        var leftOver = Norm()
        // Every entry, of the gradient sent and of the numerical one, within rounding of zero.
        var withinNoiseOfZero = true
        for i in numeric.indices {
            let a = analytic.values[i]
            let n = numeric[i]
            let gap = abs(a - n)
            let rounding = noise + callerRounding(a, n, precision, reductionLength: reductionLength)
            // What an extrapolated quotient may still carry (`TruncationRefinement`): an estimate
            // of an error, not a noise's scale, so allowed twice rather than ten times.
            let left = truncation.isEmpty ? 0 : truncation[i]
            leftOver.add(left)
            spread.add(rounding)
            normA.add(a)
            normN.add(n)
            normD.add(gap)
            if abs(a) > 10 * rounding || abs(n) > 10 * rounding { withinNoiseOfZero = false }
            relError = max(relError, gap / max(1e-8, abs(a) + abs(n)))
            if worst == nil || gap > worst!.gap { worst = (i, gap) }
            if gap > 10 * rounding + 2 * left {
                let relative = gap / max(abs(a), abs(n))
                worstBeyondRounding = max(worstBeyondRounding, relative)
                if relative > 1e-4 { wrong.append(i) }
            }
        }
        let difference = Self.ratio(normD.root, to: normA.root, normN.root)
        let floor =
            normA.root + normN.root == 0
            ? (spread.root > 0 ? .infinity : 0) : Self.ratio(spread.root, to: normA.root, normN.root)
        let limit = max(
            VerdictRule.limit(threshold: threshold, floor: floor), 2 * Self.ratio(leftOver.root, to: normA.root, normN.root))
        let band = VerdictRule.Band(maxRelativeError: worstBeyondRounding, kinks: kinks)
        // Zero to within rounding, both (a bias before a batch norm, which takes its effect away;
        // an affine's dx at w = 0): on its own scale the gradient is noise, so no verdict is
        // earned, never a pass; the answer's notes say why, and that a larger step cannot help.
        // Where f carries no rounding at all (a ReLU of negative inputs: f is exactly 0), a zero
        // quotient is measured exactly, not noise, and is judged as usual.
        let zeroWithinRounding = withinNoiseOfZero && wrong.isEmpty && unmeasured == 0 && spread.root > 0
        let passes = difference <= limit && band != .wrong
        let inconclusive =
            zeroWithinRounding || (limit >= inconclusiveLimit && difference <= limit) || (unmeasured > 0 && passes)
        let passed = !inconclusive && passes
        return GradientVerdict(
            name: name, analytic: analytic, numeric: Tensor(shape: analytic.shape, values: numeric),
            difference: difference, relError: relError, floor: floor, passed: passed, inconclusive: inconclusive,
            band: band, kinks: kinks, tiedGroups: groups.count,
            worst: worst.map {
                GradientVerdict.Entry(index: analytic.index(ofFlat: $0.i), analytic: analytic.values[$0.i], numeric: numeric[$0.i])
            },
            wrongEntries: wrong.prefix(GradientVerdict.listedEntries).map { analytic.index(ofFlat: $0) },
            wrongCount: wrong.count, zeroWithinRounding: zeroWithinRounding, truncation: truncation)
    }
}
