import GradCheck

/// A request body, read and checked field by field (shapes between tensors are the core's job).
public enum ServiceRequest: Sendable, Equatable {
    case network(NetworkRequest)
    case scalar(ScalarRequest)
}

/// The network body: `X`, `Y`, `parameters` and the optional fields, with defaults applied.
public struct NetworkRequest: Sendable, Equatable {
    /// n0 x m inputs, one column per example.
    public var x: Matrix
    /// nL x m labels (a flat list is one row).
    public var y: Matrix
    /// "W1", "b1", ... (names already checked to be W<l>/b<l>; biases given flat are columns).
    public var parameters: [String: Matrix]
    public var activation: Activation
    public var output: OutputLayer
    /// L2 strength, >= 0.
    public var lambd: Double
    /// The caller's own gradients, "dW1", "db1", ...; nil when the service's backward is checked.
    public var gradients: [String: Matrix]?
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
        x: Matrix, y: Matrix, parameters: [String: Matrix], activation: Activation = RequestDefaults.activation,
        output: OutputLayer = RequestDefaults.output, lambd: Double = RequestDefaults.lambd, gradients: [String: Matrix]? = nil,
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

/// Defaults of the optional fields, in one place (the OpenAPI document repeats them, and
/// `OpenAPIDocumentTests` holds it to these).
public enum RequestDefaults {
    public static let activation = Activation.relu
    public static let output = OutputLayer.sigmoid
    public static let lambd = 0.0
    public static let method = DifferenceMethod.central
    public static let mode = GradientCheckOptions.Mode.Kind.full
    public static let precision = Precision.float64
    public static let threshold = 1e-7
    public static let samples = 100
    public static let directions = 8
    public static let seed: UInt64 = 0
    /// Largest accepted `samples` / `directions`; the compute budget refuses big work earlier.
    public static let maxCount = 100_000_000

    /// The notebook's 1e-7 for central differences; 1e-20 for complex step, which subtracts
    /// nothing and so can take a step far below rounding.
    public static func epsilon(for method: DifferenceMethod) -> Double {
        GradientCheckOptions.defaultEpsilon(for: method)
    }

    /// The steps each method accepts.
    /// - central, 1e-12 ... 0.1: above 0.1 the O(eps^2) truncation error of the difference
    ///   quotient (and the kinks a step that long crosses) swamps any threshold, so a verdict
    ///   would be about the step, not the gradient; below 1e-12 theta + eps is no longer a
    ///   distinct double for parameters of magnitude 1e4 and more, so the notebook's formula
    ///   has nothing to measure.
    /// - complex-step, 1e-300 ... 1e-8: Im J(theta + i h) / h is the derivative to rounding
    ///   only for h <= 1e-8 (the engine returns that limit), and h * x must stay a normal double.
    public static func epsilonRange(for method: DifferenceMethod) -> ClosedRange<Double> {
        method == .central ? 1e-12...0.1 : 1e-300...1e-8
    }

    /// How far a softmax label column's sum may be from 1: a float32 probability vector sums
    /// to 1 within about 1e-7, a float64 one within 1e-15; 1e-9 refuses anything that is not
    /// a distribution in double precision.
    public static let labelSumTolerance = 1e-9
}
