/// A second look, at half the step, for a gradient that failed where the step itself may be
/// to blame: at a large epsilon (1e-2) the central quotient's own truncation error can exceed
/// the threshold, and a right backward would be called wrong.
///
/// The derivation. At a smooth point the central quotient at step h is
///     c(h) = g + a h^2 + O(h^4)        (a = f'''/6, the even terms of Taylor's series cancel)
/// so c(h/2) = g + a h^2 / 4 + O(h^4), and
///     c(h) - c(h/2) = (3/4) a h^2      (the truncation is measured, not assumed)
///     R = (4 c(h/2) - c(h)) / 3 = g + O(h^4)                              (Richardson)
/// R is judged in place of c(h). What R may still be off by is allowed per entry: its rounding,
/// 4/3 of c(h/2)'s (twice c(h)'s, the step being half) plus 1/3 of c(h)'s, 3 noise in all; and,
/// for the O(h^4) left over, the truncation of c(h/2) itself, |c(h) - c(h/2)| / 3, which is
/// larger than it wherever the series converges. That one is an estimate of an error, not a
/// noise's scale: the judge allows it twice per entry (beside 10 x the rounding), and over the
/// gradient twice its norm's ratio (`LayerJudge.judge`). A wrong gradient stays as far from R
/// as from c(h), so it still fails; a right one is then within rounding of R.
///
/// Only worth two more evaluations per entry when truncation can explain the failure: when no
/// entry is further from its quotient than the one-sided quotients are from each other (h f'',
/// the first-order term of the same series). At the default step that term is about 1e-7 of
/// the curvature and any real slip is far beyond it, so failing checks there cost nothing more.
enum TruncationRefinement {
    /// True when the failed `verdict`'s gaps are no larger than the step's curvature term.
    static func mightExplain(_ verdict: GradientVerdict, _ quotients: [Quotients]) -> Bool {
        var largestGap = 0.0
        var largestCurvature = 0.0
        for (i, q) in quotients.enumerated() where q.measurable {
            largestGap = max(largestGap, abs(verdict.analytic.values[i] - verdict.numeric.values[i]))
            largestCurvature = max(largestCurvature, abs(q.right - q.left))
        }
        return largestGap > 0 && largestGap <= largestCurvature
    }

    /// The quotients with R at every smooth entry, and the truncation each may still carry.
    ///
    /// Which entries are smooth is decided anew. At a large step, curvature alone puts the
    /// one-sided quotients further apart than `LayerJudge.kinkGap` (they differ by h f'' + O(h^3)),
    /// and an entry judged between them is wrong where f'' is small next to h f''': the interval
    /// then misses g. The two steps tell them apart: at a smooth point the gap halves with the
    /// step, at a kink it stays the jump in slope. An entry whose gap at h/2 is at most 3/4 of
    /// its gap at h is smooth: R, with left = right = R so the judge takes it as such. Kinks keep
    /// their one-sided quotients at h and no allowance (Richardson's series does not hold across
    /// a kink). An entry that crosses a kink at h but not at h/2 looks smooth; its R is then off
    /// by (c(h) - c(h/2)) / 3, which is exactly the allowance it gets.
    static func extrapolate(_ full: [Quotients], _ half: [Quotients], noise: Double) -> (
        quotients: [Quotients], truncation: [Double]
    ) {
        var quotients = full
        var truncation = [Double](repeating: 0, count: full.count)
        for i in full.indices where full[i].measurable && half[i].measurable {
            let gap = abs(full[i].right - full[i].left)
            let smooth = gap <= LayerJudge.kinkGap(full[i], noise: noise) || abs(half[i].right - half[i].left) <= 0.75 * gap
            guard smooth else { continue }
            let extrapolated = (4 * half[i].central - full[i].central) / 3
            quotients[i] = Quotients(central: extrapolated, left: extrapolated, right: extrapolated)
            truncation[i] = abs(full[i].central - half[i].central) / 3
        }
        return (quotients, truncation)
    }

    /// What the answer's notes say when a verdict was taken on R.
    static func note(_ verdict: GradientVerdict, step h: Double) -> String {
        let largest = verdict.truncation.max() ?? 0
        return
            "\(verdict.name): at epsilon \(WorkEstimate.scientific(h)) the central differences' own truncation error (up to \(WorkEstimate.scientific(3 * largest)) at an entry) is part of the difference, so \(verdict.name) was judged on Richardson's extrapolation from epsilon and epsilon/2, which removes it; a smaller epsilon avoids the two extra evaluations per entry"
    }
}
