import Foundation

/// Hidden-layer activation functions.
public enum Activation: String, Sendable, CaseIterable {
    case relu
    case tanh
    case sigmoid
    case leakyRelu = "leaky_relu"

    /// Slope of leaky ReLU for negative inputs.
    public static let leakySlope = 0.01

    public func value(_ z: Double) -> Double {
        switch self {
        case .relu: return z > 0 ? z : 0
        case .leakyRelu: return z > 0 ? z : Activation.leakySlope * z
        case .tanh: return Foundation.tanh(z)
        case .sigmoid: return logistic(z)
        }
    }

    /// Derivative at `z`. At ReLU's kink (z == 0) it is the left derivative, as the notebook's
    /// `A > 0` mask gives.
    public func derivative(_ z: Double) -> Double {
        switch self {
        case .relu: return z > 0 ? 1 : 0
        case .leakyRelu: return z > 0 ? 1 : Activation.leakySlope
        case .tanh:
            let t = Foundation.tanh(z)
            return 1 - t * t
        case .sigmoid:
            let s = logistic(z)
            return s * (1 - s)
        }
    }

    /// True for piecewise-linear activations whose derivative jumps at zero.
    public var hasKinks: Bool { self == .relu || self == .leakyRelu }

    /// `value(z + d) - value(z)`, computed without subtracting two nearly equal numbers.
    ///
    /// A central difference with epsilon 1e-7 needs cost changes accurate far below 1e-7 of the
    /// cost; subtracting two activations of size 1 loses about half of the digits, these closed
    /// forms do not.
    public func change(at z: Double, by d: Double) -> Double {
        if d == 0 { return 0 }
        switch self {
        case .relu, .leakyRelu:
            let zd = z + d
            if z > 0 && zd > 0 { return d }
            if z <= 0 && zd <= 0 { return self == .relu ? 0 : Activation.leakySlope * d }
            return value(zd) - value(z)
        case .tanh:
            // tanh(z+d) - tanh(z) = sinh(d) / (cosh(z+d) cosh(z))
            guard abs(d) < 1 else { return value(z + d) - value(z) }
            return Foundation.sinh(d) / (Foundation.cosh(z + d) * Foundation.cosh(z))
        case .sigmoid:
            // s(z+d) - s(z) = -s(z+d) * (1 - s(z)) * expm1(-d), and 1 - s(z) = s(-z)
            guard abs(d) < 1 else { return value(z + d) - value(z) }
            return -logistic(z + d) * logistic(-z) * Foundation.expm1(-d)
        }
    }
}

/// The logistic sigmoid, without overflow for large |z|.
@inlinable
public func logistic(_ z: Double) -> Double {
    if z >= 0 { return 1 / (1 + exp(-z)) }
    let e = exp(z)
    return e / (1 + e)
}

/// log(1 + e^z), without overflow or loss of precision for large |z|.
@inlinable
public func softplus(_ z: Double) -> Double {
    max(z, 0) + log1p(exp(-abs(z)))
}
