import GradCheck

/// How much arithmetic one request may ask for. A gradient check is the one request whose cost
/// grows with the network squared, so it is priced before it starts (`WorkEstimate`) and refused
/// with a 422 that gives the estimate and suggests `sample` or `directional` when over budget.
public struct ComputeLimits: Sendable, Equatable {
    /// Largest estimated multiply-adds one request may use.
    public var maxMultiplyAdds: Double

    /// 2e12 multiply-adds: about a minute of this 2-core machine's fast engine for the largest
    /// full check the issue names, and far beyond anything a notebook-sized network needs.
    public static let defaultMaxMultiplyAdds = 2e12

    public init(maxMultiplyAdds: Double = ComputeLimits.defaultMaxMultiplyAdds) {
        self.maxMultiplyAdds = maxMultiplyAdds
    }
}
