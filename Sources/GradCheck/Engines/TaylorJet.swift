import Foundation

/// Truncated Taylor series of a change that starts at zero, in one scalar variable t:
/// value(t) - value(0) = j.x t + j.y t^2 + j.z t^3 + j.w t^4 + O(t^5).
/// `LossExpansion` pushes these through the layers above one hidden unit.
typealias Jet = SIMD4<Double>

enum TaylorJet {
    /// g(t) = sum_k f_k p(t)^k truncated after t^4, for a series p with no constant term (so
    /// only powers p^1 ... p^4 reach t^4) and f_k = f^(k)(z) / k!: Faa di Bruno written out.
    /// The powers of p, order by order:
    ///   p^2 = p1^2 t^2 + 2 p1 p2 t^3 + (2 p1 p3 + p2^2) t^4,  p^3 = p1^3 t^3 + 3 p1^2 p2 t^4,  p^4 = p1^4 t^4.
    @inline(__always)
    static func compose(_ f: Jet, _ p: Jet) -> Jet {
        let p1 = p.x
        let p2 = p.y
        let p3 = p.z
        let p4 = p.w
        let sq = p1 * p1
        return Jet(
            f.x * p1,
            f.x * p2 + f.y * sq,
            f.x * p3 + f.y * 2 * p1 * p2 + f.z * sq * p1,
            f.x * p4 + f.y * (2 * p1 * p3 + p2 * p2) + f.z * 3 * sq * p2 + f.w * sq * sq)
    }

    /// f^(k)(z) / k!, k = 1 ... 4, for the smooth activations, from the cached a = f(z) and
    /// slope = f'(z) (sech^2 z or s(z) s(-z), accurate when saturated). Every term carries the
    /// slope as a factor, so a saturated unit's coefficients keep their relative accuracy.
    /// tanh, t = tanh z, s = sech^2 z = 1 - t^2:
    ///   f' = s, f'' = -2 t s, f''' = 2 s (2 t^2 - s), f'''' = 8 t s (2 s - t^2).
    /// sigmoid, s = sigma(z) sigma(-z), u = 1 - 2 sigma(z) = sigma(-z) - sigma(z) (sigma(-z) = s / a):
    ///   f' = s, f'' = s u, f''' = s (1 - 6 s), f'''' = s u (1 - 12 s)   (using u^2 = 1 - 4 s).
    @inline(__always)
    static func activationCoefficients(_ act: Activation, a: Double, slope s: Double) -> Jet {
        switch act {
        case .tanh:
            let t = a
            return Jet(s, -t * s, s * (2 * t * t - s) / 3, t * s * (2 * s - t * t) / 3)
        case .sigmoid:
            let u = a > 0 ? s / a - a : 1
            return Jet(s, s * u / 2, s * (1 - 6 * s) / 6, s * u * (1 - 12 * s) / 24)
        case .relu, .leakyRelu:
            // Not used: the kinked activations have their own exact fast path.
            return Jet(act.derivative(a), 0, 0, 0)
        }
    }

    /// softplus(z + d) - softplus(z) (the sigmoid output's loss, before the - y d term), with
    /// p = sigma(z), q = sigma(-z) computed separately, s = p q, u = q - p:
    ///   softplus' = p, '' = s, ''' = s u, '''' = s (1 - 6 s).
    @inline(__always)
    static func softplusCoefficients(logit z: Double) -> Jet {
        softplusCoefficients(logit: z, label: 0)
    }

    /// The series of softplus(z + d) - softplus(z) - y d: order 1 is p - y, written as
    /// (1 - y) p - y q so that a saturated output (p rounded to 1) keeps its digits.
    static func softplusCoefficients(logit z: Double, label y: Double) -> Jet {
        let p = logistic(z)
        let q = logistic(-z)
        let s = p * q
        let u = q - p
        return Jet((1 - y) * p - y * q, s / 2, s * u / 6, s * (1 - 6 * s) / 24)
    }

    /// exp(d) - 1 and log(1 + d) as series in d.
    static let expm1Coefficients = Jet(1, 1.0 / 2, 1.0 / 6, 1.0 / 24)
    static let log1pCoefficients = Jet(1, -1.0 / 2, 1.0 / 3, -1.0 / 4)

    /// phi(d) = d (j.x + d (j.y + d (j.z + d j.w))), the truncated series at d.
    @inline(__always)
    static func evaluate(_ j: Jet, at d: Double) -> Double {
        d * (j.x + d * (j.y + d * (j.z + d * j.w)))
    }
}
