/// The notebook's one-dimensional warm-up: J(theta) = theta * x, dJ/dtheta = x.
public enum ScalarCase {
    public struct CheckResult: Sendable, Equatable {
        public let gradient: Double
        public let approximation: Double
        public let difference: Double
        public let passed: Bool
        /// "The gradient is correct!" or "The gradient is wrong!", as the notebook prints.
        public let message: String
    }

    public static func forward(x: Double, theta: Double) -> Double { theta * x }

    public static func backward(x: Double, theta: Double) -> Double { x }

    /// The notebook's `gradient_check`, operation for operation, so it prints the same
    /// difference (about 2.919e-10 for x = 2, theta = 4: the rounding of theta +/- epsilon).
    /// `gradient` is the caller's dtheta to check (the correct `x` when nil). Complex step takes
    /// Im J(theta + i h) / h = Im(x * (theta + i h)) / h, which subtracts nothing.
    public static func gradientCheck(
        x: Double, theta: Double, gradient: Double? = nil,
        method: DifferenceMethod = .central,
        epsilon: Double = GradientCheckOptions.defaultEpsilon(for: .central), threshold: Double = GradientCheckOptions().threshold
    ) -> CheckResult {
        let approximation: Double
        switch method {
        case .central:
            let plus = forward(x: x, theta: theta + epsilon)
            let minus = forward(x: x, theta: theta - epsilon)
            approximation = (plus - minus) / (2 * epsilon)
        case .complexStep:
            approximation = (x * epsilon) / epsilon
        }
        let gradient = gradient ?? backward(x: x, theta: theta)
        let denominator = abs(gradient) + abs(approximation)
        let difference = denominator == 0 ? 0 : abs(gradient - approximation) / denominator
        let passed = difference < threshold
        return CheckResult(
            gradient: gradient, approximation: approximation, difference: difference, passed: passed,
            message: passed ? "The gradient is correct!" : "The gradient is wrong!")
    }
}
