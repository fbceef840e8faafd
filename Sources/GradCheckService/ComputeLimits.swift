import GradCheck

/// How much arithmetic one request may ask for. A gradient check is the one request whose cost
/// grows with the network squared, so it is priced before it starts (`WorkEstimate`) and refused
/// with a 422 that gives the estimate and suggests `sample` or `directional` when over budget.
public struct ComputeLimits: Sendable, Equatable {
    /// Largest estimated operations (`WorkEstimate`) one request may use.
    public var maxOperations: Double

    /// 1e11 operations: about 20 s on this 2-core machine. A full check of a 656k-parameter ReLU
    /// network (about 1e10) fits; a full tanh check of it (about 1e14) does not.
    public static let defaultMaxOperations = 1e11

    public init(maxOperations: Double = ComputeLimits.defaultMaxOperations) {
        self.maxOperations = maxOperations
    }
}
