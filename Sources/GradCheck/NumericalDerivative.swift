/// A numerically estimated derivative of the cost.
public struct NumericalDerivative: Sendable, Equatable {
    public var value: Double
    /// The perturbation changed the on/off pattern of some ReLU / leaky-ReLU unit, so the
    /// difference quotient straddles a kink and says nothing reliable about the gradient.
    public var crossesKink: Bool
    /// At a kink: the one-sided difference quotients (J(theta) - J(theta - eps)) / eps and
    /// (J(theta + eps) - J(theta)) / eps, between which any valid (sub)gradient lies.
    public var oneSided: OneSidedDerivatives?

    public init(value: Double, crossesKink: Bool, oneSided: OneSidedDerivatives? = nil) {
        self.value = value
        self.crossesKink = crossesKink
        self.oneSided = oneSided
    }
}

/// The left and right difference quotients at a kink coordinate.
public struct OneSidedDerivatives: Sendable, Equatable {
    public var left: Double
    public var right: Double

    public init(left: Double, right: Double) {
        self.left = left
        self.right = right
    }

    /// The closest point of [min(left, right) - tolerance, max(left, right) + tolerance] to
    /// `value`: the value itself when it is a valid subgradient.
    public func nearest(to value: Double, tolerance: Double) -> Double {
        min(max(value, min(left, right) - tolerance), max(left, right) + tolerance)
    }
}
