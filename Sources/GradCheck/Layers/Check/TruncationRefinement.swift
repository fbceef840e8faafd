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
/// larger than it wherever the series converges. A wrong gradient stays as far from R as from
/// c(h), so it still fails; a right one is then within rounding of R.
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

    /// The quotients with R as the central one at every smooth entry, and the truncation each may
    /// still carry. Kinks keep their one-sided quotients and no allowance: Richardson's series
    /// does not hold across a kink, and a kink is judged between its one-sided quotients anyway.
    static func extrapolate(_ full: [Quotients], _ half: [Quotients], noise: Double) -> (
        quotients: [Quotients], truncation: [Double]
    ) {
        var quotients = full
        var truncation = [Double](repeating: 0, count: full.count)
        for i in full.indices where full[i].measurable && half[i].measurable {
            guard abs(full[i].right - full[i].left) <= LayerJudge.kinkGap(full[i], noise: noise) else { continue }
            quotients[i].central = (4 * half[i].central - full[i].central) / 3
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
