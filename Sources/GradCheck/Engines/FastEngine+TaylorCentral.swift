/// Central differences of a smooth (tanh / sigmoid) network through `LossExpansion`, at O(m)
/// per coordinate instead of a propagation through every later layer.
///
/// What is evaluated is still J(theta + eps e_k) - J(theta - eps e_k), not a derivative:
/// for a coordinate of row i of W_l or b_l (l < L), example c's A_l[i, c] moves by exactly
/// d+-_c = f(z + -eps x_c) - f(z) (`activationChange`, cancellation-free), and everything
/// downstream of it is the scalar function phi_c, so the loss change of example c is phi_c(d+-_c)
/// and the central difference is sum_c [phi_c(d+_c) - phi_c(d-_c)] / (2 eps m). The only
/// approximation is cutting phi_c's Taylor series after d^4.
///
/// Why that equals the exact evaluation to rounding: phi_c is analytic around 0, so its
/// coefficients obey |a_k| <= M / R^k (Cauchy) and decay geometrically. `LossExpansion`
/// estimates the growth rate r_c from orders 2 ... 4 (max of |a2|/A, (|a3|/A)^(1/2),
/// (|a4|/A)^(1/3), with A = max(|a1|, the row's largest |a1| / m)) and multiplies it by 4 for
/// safety. If |a_k| <= A r^(k-1) holds for the tail, the remainder after d^4 is at most
/// A |d| (r|d|)^4 / (1 - r|d|). Requiring r|d| <= 2^-14 makes that below 2^-56 A |d|
/// ~ 1.4e-17 A |d|: for an ordinary example eight times smaller than the rounding of the exact
/// evaluation's own log1p/expm1 of the same loss change, and over all m examples below the
/// rounding of the sum of the largest ones. The rate is
/// an estimate from the computed coefficients, not a proof; it is conservative in the cases
/// that matter: at eps = 1e-7 and ordinary inputs r|d| is ~1e-6 or less, while at eps = 1e-3,
/// inputs ~1e3, or a saturated unit whose next layer has large weights (large r), the test fails
/// and the coordinate goes to `exactCentral`, which carries both changes through every layer.
/// Where a_1 = 0 but higher orders are not (the first-order effect cancels), r is infinite and
/// the coordinate goes the exact way too. The agreement tests compare both regimes against the
/// naive full recompute.
extension EngineCache {
    /// Largest r_c |d_c| for which the truncated series is trusted (see above).
    static let taylorAcceptance = 0x1p-14

    /// nil when some example's change is too large for the series (the caller goes exact).
    func taylorCentral(
        _ coordinate: Coordinate, input: [Double], step eps: Double,
        expansion: LossExpansion
    ) -> NumericalDerivative? {
        let l = coordinate.parameter.layer
        let i = coordinate.row
        let act = network.activation
        let z = preActivations[l - 1]
        let a = activations[l]
        let slope = slopes[l - 1]
        var sum = CompensatedSum()
        for c in 0..<m where input[c] != 0 {
            let at = i * m + c
            let h = eps * input[c]
            let up = EngineCache.activationChange(act, z: z[at], a: a[at], slope: slope[at], by: h)
            let down = EngineCache.activationChange(act, z: z[at], a: a[at], slope: slope[at], by: -h)
            // Written so that a NaN rate or change also refuses the series.
            if !(expansion.growthRates[c] * max(abs(up), abs(down)) <= EngineCache.taylorAcceptance) { return nil }
            let j = expansion.coefficients[c]
            sum.add(TaylorJet.evaluate(j, at: up) - TaylorJet.evaluate(j, at: down))
        }
        return centralQuotient(sum, step: eps, at: coordinate, crossesKink: false)
    }
}
