import GradCheck

/// A request body, read and checked field by field (shapes between tensors are the core's job).
public enum ServiceRequest: Sendable, Equatable {
    case network(NetworkRequest)
    case scalar(ScalarRequest)
    /// One layer function: `layer`, `inputs`, `upstream`, `gradients`.
    case layer(LayerRequest)
    /// Named layers ending in a loss: `X`, `y`, `layers`, `loss`, `gradients`.
    case layerNetwork(LayerNetworkRequest)
}

/// The network body: `X`, `Y`, `parameters` and the optional fields, with defaults applied.
public struct NetworkRequest: Sendable, Equatable {
    /// n0 x m inputs, one column per example.
    public var x: Matrix
    /// nL x m labels (a flat list is one row).
    public var y: Matrix
    /// W1, b1, ... by their parsed names (biases given flat are columns).
    public var parameters: [ParameterID: Matrix]
    public var activation: Activation
    public var output: OutputLayer
    /// L2 strength, >= 0.
    public var lambd: Double
    /// The caller's own gradients, dW1, db1, ... (and any dZ_l, dA_l); nil when the service's
    /// backward is checked.
    public var gradients: [GradientName: Matrix]?
    /// Step of the numerical derivative, > 0 (default 1e-7 central, 1e-20 complex-step).
    public var epsilon: Double
    /// Largest difference that passes, > 0 (default 1e-7).
    public var threshold: Double
    public var method: DifferenceMethod
    /// How many coordinates `/gradcheck` checks: every one, `samples` of them drawn with
    /// `seed`, or `directions` random directions (the core's mode, read from `mode`).
    public var mode: GradientCheckOptions.Mode
    /// `dtype`: the precision the caller's forward and backward ran in.
    public var precision: Precision = RequestDefaults.precision
    /// `only`: names or `*` patterns of the tensors to check (nil: all).
    public var only: [String]?
    /// `shard`: check part `index` of `count` of a full check and answer its partial result.
    public var shard: ShardSpec?

    public init(
        x: Matrix, y: Matrix, parameters: [ParameterID: Matrix], activation: Activation = RequestDefaults.activation,
        output: OutputLayer = RequestDefaults.output, lambd: Double = RequestDefaults.lambd, gradients: [GradientName: Matrix]? = nil,
        epsilon: Double? = nil, threshold: Double = RequestDefaults.threshold,
        method: DifferenceMethod = RequestDefaults.method, mode: GradientCheckOptions.Mode = .full
    ) {
        self.x = x
        self.y = y
        self.parameters = parameters
        self.activation = activation
        self.output = output
        self.lambd = lambd
        self.gradients = gradients
        self.epsilon = epsilon ?? RequestDefaults.epsilon(for: method)
        self.threshold = threshold
        self.method = method
        self.mode = mode
    }
}
