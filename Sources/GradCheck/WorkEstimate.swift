/// A rough, documented measure of how much arithmetic a gradient check asks for, so the service
/// can refuse a request before starting it.
///
/// Unit: multiply-adds. One forward pass costs m * sum_l n_l * n_{l-1}. A perturbation of a
/// layer-l parameter only has to recompute the layers from l on (what `ReferenceEngine` does),
/// so a coordinate of layer l costs evaluations-per-coordinate * m * sum_{j >= l} n_j * n_{j-1};
/// `full` sums that over every coordinate, `sample` scales it by the sampled fraction, and
/// `directional` pays full forward passes per direction. Engines that reuse more (rows batched
/// as matrix products) do less, so this is an upper bound on the work, not a time.
public struct WorkEstimate: Sendable, Equatable, CustomStringConvertible {
    /// Multiply-adds of one plain forward pass.
    public let forwardMultiplyAdds: Double
    /// Multiply-adds the check is estimated to take (numerical side plus one forward and backward).
    public let multiplyAdds: Double
    /// Coordinates (or directions) the check compares.
    public let comparisons: Int
    public let costEvaluations: Int

    public init(network: Network, examples m: Int, options: GradientCheckOptions) {
        let layerCosts = network.layers.map { Double($0.weights.count) * Double(m) }
        let forward = layerCosts.reduce(0, +)
        let perEvaluation = Double(options.method.evaluationsPerCoordinate)
        // Cost of re-running layers l...L for one coordinate of layer l, times that layer's size.
        var downstream = 0.0, full = 0.0
        for l in stride(from: network.depth - 1, through: 0, by: -1) {
            downstream += layerCosts[l]
            full += Double(network.layers[l].weights.count + network.layers[l].bias.count) * downstream
        }
        let parameters = Double(network.parameterCount)
        let numerical: Double
        let comparisons: Int
        switch options.mode {
        case .full:
            comparisons = network.parameterCount
            numerical = full * perEvaluation
        case let .sample(count, _):
            comparisons = min(max(count, 2 * network.depth), network.parameterCount)
            numerical = full * perEvaluation * Double(comparisons) / parameters
        case let .directional(count, _):
            comparisons = max(count, 1)
            numerical = forward * perEvaluation * Double(comparisons)
        }
        forwardMultiplyAdds = forward
        self.comparisons = comparisons
        costEvaluations = comparisons * options.method.evaluationsPerCoordinate
        multiplyAdds = numerical + 3 * forward  // + the base forward and a backward (~2 forwards)
    }

    public func exceeds(budget: Double) -> Bool { multiplyAdds > budget }

    /// The sentence a refusal carries: the estimate, the budget and the cheaper modes.
    public func refusal(budget: Double) -> String {
        "this check is estimated at \(Self.scientific(multiplyAdds)) multiply-adds (\(comparisons) coordinates, \(costEvaluations) cost evaluations), over the budget of \(Self.scientific(budget)); use \"mode\": \"sample\" with \"samples\": k or \"mode\": \"directional\" with \"directions\": k for a cheaper check"
    }

    public var description: String { "\(Self.scientific(multiplyAdds)) multiply-adds" }

    /// "4.4e+14": three significant digits, no Foundation formatting.
    static func scientific(_ x: Double) -> String {
        guard x.isFinite, x > 0 else { return "\(x)" }
        var exponent = 0
        var mantissa = x
        while mantissa >= 10 { mantissa /= 10; exponent += 1 }
        while mantissa < 1 { mantissa *= 10; exponent -= 1 }
        let rounded = (mantissa * 100).rounded() / 100
        return "\(rounded)e\(exponent >= 0 ? "+" : "")\(exponent)"
    }
}
