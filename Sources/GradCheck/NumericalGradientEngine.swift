/// How a numerical derivative is taken.
public enum DifferenceMethod: String, Sendable, CaseIterable {
    /// (J(theta + eps) - J(theta - eps)) / (2 eps): the notebook's formula, two cost evaluations.
    case central
    /// Im J(theta + i h) / h: no subtraction, exact to rounding, one complex cost evaluation.
    case complexStep = "complex-step"

    /// Cost evaluations one coordinate needs.
    public var evaluationsPerCoordinate: Int { self == .central ? 2 : 1 }
}

/// One scalar parameter: an entry of a parameter tensor.
public struct Coordinate: Sendable, Hashable {
    public let parameter: ParameterID
    public let row: Int
    public let col: Int

    public init(parameter: ParameterID, row: Int, col: Int) {
        self.parameter = parameter
        self.row = row
        self.col = col
    }
}

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

/// Computes numerical derivatives of a network's cost. Every perturbed cost is a real evaluation
/// of J at the perturbed parameters (never backprop or a linearisation standing in for it);
/// engines differ only in how much of the unperturbed forward pass they reuse.
public protocol NumericalGradientEngine: Sendable {
    /// d cost / d theta at each coordinate, in the order given.
    func derivatives(
        of network: Network, inputs x: Matrix, labels y: Matrix,
        at coordinates: [Coordinate], method: DifferenceMethod, step: Double
    ) -> [NumericalDerivative]

    /// The derivative of the cost along `direction` (one matrix per parameter, same shapes).
    func directionalDerivative(
        of network: Network, inputs x: Matrix, labels y: Matrix,
        along direction: [ParameterID: Matrix], method: DifferenceMethod, step: Double
    ) -> NumericalDerivative

    /// Whether the engine computes `method` itself (default: true, see the extension below).
    func supports(_ method: DifferenceMethod) -> Bool

    /// `derivatives`, stopping early when `stop` says so (cancelled, past its deadline, or over
    /// budget once the engine re-prices the check). Entries not computed are NaN; the caller
    /// reads `stop.interruption` and must not use the result when it is set. The default polls
    /// nothing and runs to the end.
    func derivatives(
        of network: Network, inputs x: Matrix, labels y: Matrix,
        at coordinates: [Coordinate], method: DifferenceMethod, step: Double, stop: StopSignal
    ) -> [NumericalDerivative]
}

extension NumericalGradientEngine {
    /// Whether the engine computes `method` itself. An engine that does not (the reference engine
    /// has no complex arithmetic) answers with central differences instead, and `GradientChecker`
    /// reports the method actually used.
    public func supports(_ method: DifferenceMethod) -> Bool { true }

    public func derivatives(
        of network: Network, inputs x: Matrix, labels y: Matrix,
        at coordinates: [Coordinate], method: DifferenceMethod, step: Double, stop: StopSignal
    ) -> [NumericalDerivative] {
        derivatives(of: network, inputs: x, labels: y, at: coordinates, method: method, step: step)
    }
}
