/// The answer of a layer or network check: the notebook's verdict over every checked gradient,
/// one verdict per gradient, and the slips that explain the wrong ones.
public struct LayerCheckReport: Sendable {
    /// The notebook's difference over all checked gradients together.
    public var difference: Double
    public var passed: Bool
    /// No verdict could be earned for some gradient (rounding as large as the gradient) and none
    /// failed: `passed` is false, and `message` says why and what works.
    public var inconclusive: Bool
    public var message: String
    public var epsilon: Double
    public var threshold: Double
    public var gradients: [GradientVerdict]
    public var failed: [String]
    public var rootCauses: [LayerRootCause]
    /// Gradients wrong only because a gradient they are computed from is (network checks).
    public var propagated: [String]
    public var notes: [String]
    public var costEvaluations: Int
    public var seconds: Double
    /// The upstream was drawn by the service (seeded standard normal), with this seed.
    public var drawnUpstreamSeed: UInt64?

    public var checked: Int { gradients.reduce(0) { $0 + $1.checked } }
    public var kinks: Int { gradients.reduce(0) { $0 + $1.kinks } }

    static let inconclusiveMessage =
        "The check is inconclusive: at this epsilon the function's own rounding is as large as what it measures, so no verdict is earned; try a larger epsilon (1e-5 or 1e-4), or inputs of a more moderate scale"

    static let nothingCheckedMessage =
        "The check is inconclusive: nothing was checked (the layers have no parameters, or no gradient you sent belongs to them), so no verdict is earned"

    /// The overall verdict from the gradients' own: failed if any failed, inconclusive if none
    /// failed but some could not be judged, passed only when every one passed.
    static func verdict(_ gradients: [GradientVerdict]) -> (difference: Double, passed: Bool, inconclusive: Bool, message: String) {
        // Scaled sums, as each gradient's own (`LayerJudge.judge`): no square overflows.
        var d = ScaledSum()
        var na = ScaledSum()
        var nn = ScaledSum()
        for g in gradients {
            for (a, n) in zip(g.analytic.values, g.numeric.values) {
                d.add(a - n, times: a - n)
                na.add(a, times: a)
                nn.add(n, times: n)
            }
        }
        let difference = LayerJudge.ratio(d.root, to: na.root, nn.root)
        let failed = gradients.contains { !$0.passed && !$0.inconclusive }
        // Nothing checked (no gradient sent that the layers have, or no parameters at all) has
        // not passed either.
        let inconclusive = !failed && (gradients.isEmpty || gradients.contains { $0.inconclusive })
        let passed = !failed && !inconclusive
        let undecided = gradients.filter(\.inconclusive)
        let message: String
        if gradients.isEmpty {
            message = nothingCheckedMessage
        } else if inconclusive && undecided.allSatisfy(\.zeroWithinRounding) {
            // A larger step cannot help a gradient whose true value may be zero: say what can.
            message =
                "The check is inconclusive: \(undecided.map(\.name).joined(separator: ", ")) \(undecided.count == 1 ? "is" : "are") zero to within rounding, so no verdict is earned for \(undecided.count == 1 ? "it" : "them") (see notes)\(undecided.count < gradients.count ? "; every other gradient passed" : "") (difference = \(difference))"
        } else if inconclusive {
            message = inconclusiveMessage + " (difference = \(difference))"
        } else {
            message = GradientChecker.message(difference: difference, passed: passed)
        }
        return (difference, passed, inconclusive, message)
    }
}
