import GradCheck

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
    /// Layer and network-of-layers bodies: CS231n's names and layouts, and its softmax loss.
    public static let convention = LayerConvention.cs231n
    public static let loss = NetworkLoss.softmax
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
