import Foundation

/// A complex number, just enough of one for complex-step differentiation: the imaginary parts
/// there are about 1e-20 of the real parts, so every function below keeps the imaginary part
/// exact to rounding (no `1 + tiny` cancellations) rather than being a general complex library.
public struct Complex: Sendable, Equatable {
    public var re: Double
    public var im: Double

    public init(_ re: Double, _ im: Double = 0) {
        self.re = re
        self.im = im
    }

    public static func + (a: Complex, b: Complex) -> Complex { Complex(a.re + b.re, a.im + b.im) }
    public static func - (a: Complex, b: Complex) -> Complex { Complex(a.re - b.re, a.im - b.im) }
    public static prefix func - (a: Complex) -> Complex { Complex(-a.re, -a.im) }
    public static func * (a: Complex, b: Complex) -> Complex {
        Complex(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
    }
    public static func * (s: Double, a: Complex) -> Complex { Complex(s * a.re, s * a.im) }
    public static func / (a: Complex, b: Complex) -> Complex {
        // Smith's algorithm: no overflow in |b|^2 for large b.
        if abs(b.re) >= abs(b.im) {
            let r = b.im / b.re
            let den = b.re + b.im * r
            return Complex((a.re + a.im * r) / den, (a.im - a.re * r) / den)
        }
        let r = b.re / b.im
        let den = b.re * r + b.im
        return Complex((a.re * r + a.im) / den, (a.im * r - a.re) / den)
    }
    public static func += (a: inout Complex, b: Complex) { a = a + b }

    public static func exp(_ z: Complex) -> Complex {
        let e = Foundation.exp(z.re)
        return Complex(e * cos(z.im), e * sin(z.im))
    }

    /// log(z) on the principal branch.
    public static func log(_ z: Complex) -> Complex {
        Complex(Foundation.log(hypot(z.re, z.im)), atan2(z.im, z.re))
    }

    /// log(1 + w), accurate for small |w| (log1p on the modulus, atan2 for the angle).
    public static func log1p(_ w: Complex) -> Complex {
        let modulusSquaredMinusOne = 2 * w.re + w.re * w.re + w.im * w.im
        return Complex(0.5 * Foundation.log1p(modulusSquaredMinusOne), atan2(w.im, 1 + w.re))
    }

    /// tanh(x + iy) = (sinh 2x + i sin 2y) / (cosh 2x + cos 2y), with the large-|x| limit.
    public static func tanh(_ z: Complex) -> Complex {
        if abs(z.re) > 20 {
            // cosh 2x ~ e^{2|x|} / 2 dominates: tanh -> sign(x), imaginary part 2 sin(2y) e^{-2|x|}.
            return Complex(z.re > 0 ? 1 : -1, 2 * sin(2 * z.im) * Foundation.exp(-2 * abs(z.re)))
        }
        let den = cosh(2 * z.re) + cos(2 * z.im)
        return Complex(sinh(2 * z.re) / den, sin(2 * z.im) / den)
    }

    /// The logistic sigmoid 1 / (1 + e^{-z}), without overflow for large |Re z|.
    public static func logistic(_ z: Complex) -> Complex {
        if z.re >= 0 { return Complex(1) / (Complex(1) + exp(-z)) }
        let e = exp(z)
        return e / (Complex(1) + e)
    }

    /// log(1 + e^z), without overflow for large Re z.
    public static func softplus(_ z: Complex) -> Complex {
        if z.re > 0 { return z + log1p(exp(-z)) }
        return log1p(exp(z))
    }
}

extension Activation {
    /// The activation of a complex argument; ReLU and leaky ReLU branch on the real part, which
    /// is what complex-step differentiation of a piecewise function needs.
    public func value(_ z: Complex) -> Complex {
        switch self {
        case .relu: return z.re > 0 ? z : Complex(0)
        case .leakyRelu: return z.re > 0 ? z : Activation.leakySlope * z
        case .tanh: return Complex.tanh(z)
        case .sigmoid: return Complex.logistic(z)
        }
    }
}
