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
