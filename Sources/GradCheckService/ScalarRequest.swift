import GradCheck

/// The notebook's one-dimensional case J(theta) = theta * x.
public struct ScalarRequest: Sendable, Equatable {
    public var x: Double
    public var theta: Double
    /// The caller's own derivative for `/gradcheck`; nil checks the service's (which is x).
    public var dtheta: Double?
    public var epsilon: Double
    public var threshold: Double
    public var method: DifferenceMethod

    public init(
        x: Double, theta: Double, dtheta: Double? = nil, epsilon: Double? = nil,
        threshold: Double = RequestDefaults.threshold, method: DifferenceMethod = RequestDefaults.method
    ) {
        self.x = x
        self.theta = theta
        self.dtheta = dtheta
        self.epsilon = epsilon ?? RequestDefaults.epsilon(for: method)
        self.threshold = threshold
        self.method = method
    }
}
