/// A documented measure of how much arithmetic a gradient check asks of `FastEngine`, so the
/// service can refuse a request before starting it rather than tie up a worker for an hour.
///
/// Unit: floating-point operations as `FastEngine.estimatedOperations` counts them (about 2.5e9
/// per second per core on the project's 2-core machine). `full` prices every coordinate of every
/// tensor, `sample` the sampled share of each tensor, `directional` one (complex) or two (central)
/// forward passes per direction; every mode adds the engine's setup and one backward pass.
public struct WorkEstimate: Sendable, Equatable, CustomStringConvertible {
    /// Operations the check is estimated to take.
    public let operations: Double
    /// Coordinates (or directions) the check compares.
    public let comparisons: Int
    public let costEvaluations: Int

    /// Operations per second per core the estimate assumes when it speaks in seconds.
    public static let operationsPerSecondPerCore = 2.5e9

    public init(network: Network, examples m: Int, options: GradientCheckOptions) {
        let forward = Self.forwardOperations(of: network, examples: m)
        let total = network.parameterCount
        var numerical = 0.0
        switch options.mode {
        case .full:
            comparisons = total
            numerical = FastEngine.setupOperations(of: network, examples: m)
            for id in network.parameterIDs {
                numerical += FastEngine.estimatedOperations(of: network, examples: m, parameter: id,
                                                            coordinates: network[id].count, method: options.method)
            }
        case let .sample(count, _):
            comparisons = min(max(count, network.parameterIDs.count), total)
            let share = Double(comparisons) / Double(max(total, 1))
            numerical = FastEngine.setupOperations(of: network, examples: m)
            for id in network.parameterIDs {
                let coordinates = max(1, Int((Double(network[id].count) * share).rounded(.up)))
                numerical += FastEngine.estimatedOperations(of: network, examples: m, parameter: id,
                                                            coordinates: coordinates, method: options.method)
            }
        case let .directional(count, _):
            comparisons = max(count, 1)
            // Each direction: a random unit vector over every parameter, then its cost evaluations.
            numerical = Double(comparisons) * (Double(options.method.evaluationsPerCoordinate) * forward + 4 * Double(total))
        }
        costEvaluations = comparisons * options.method.evaluationsPerCoordinate
        operations = numerical + 3 * forward  // + the base forward and a backward (about two forwards)
    }

    /// 2 * m * sum_l n_l * n_{l-1}: one forward pass's multiplies and adds.
    public static func forwardOperations(of network: Network, examples m: Int) -> Double {
        network.layers.reduce(0) { $0 + 2 * Double($1.weights.count) * Double(m) }
    }

    public func exceeds(budget: Double) -> Bool { operations > budget }

    /// The sentence a refusal carries: the estimate, the budget and the cheaper modes.
    public func refusal(budget: Double) -> String {
        let seconds = operations / (2 * Self.operationsPerSecondPerCore)
        return "this check is estimated at \(Self.scientific(operations)) operations (about \(Self.scientific(seconds)) s on 2 cores; \(comparisons) coordinates, \(costEvaluations) cost evaluations), over the budget of \(Self.scientific(budget)); use \"mode\": \"sample\" with \"samples\": k or \"mode\": \"directional\" with \"directions\": k for a cheaper check"
    }

    public var description: String { "\(Self.scientific(operations)) operations" }

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
