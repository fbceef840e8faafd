/// How a gradient check is run. The defaults are the notebook's: every coordinate, central
/// differences, epsilon 1e-7, threshold 1e-7.
public struct GradientCheckOptions: Sendable, Equatable {
    public enum Mode: Sendable, Equatable, CustomStringConvertible {
        /// Every coordinate of every tensor.
        case full
        /// `count` coordinates, stratified so that every tensor gets at least one, chosen by a
        /// `SplitMix64` seeded with `seed` (same seed, same coordinates).
        case sample(count: Int, seed: UInt64)
        /// `count` random unit directions u over all parameters: the numerical directional
        /// derivative is compared with grad . u. Cannot say which tensor is wrong.
        case directional(count: Int, seed: UInt64)

        /// Which of the three modes, without its count and seed; the raw values are the API's
        /// `mode` names, so the request reader, the answer and the OpenAPI document spell them
        /// from here.
        public enum Kind: String, Sendable, CaseIterable {
            case full, sample, directional
        }

        public var kind: Kind {
            switch self {
            case .full: return .full
            case .sample: return .sample
            case .directional: return .directional
            }
        }

        public var description: String {
            switch self {
            case .full: return "full"
            case let .sample(count, seed): return "sample(\(count), seed \(seed))"
            case let .directional(count, seed): return "directional(\(count), seed \(seed))"
            }
        }
    }

    public var method: DifferenceMethod
    public var epsilon: Double
    public var threshold: Double
    public var mode: Mode
    /// The precision the caller's forward and backward ran in: sets the rounding floor.
    public var precision: Precision = .float64
    /// Check only these tensors (nil: all of them), in every mode.
    public var only: Set<ParameterID>?

    /// The parameter tensors whose names match `patterns` (`W2`, `b*`, `*`: `*` stands for any
    /// run of characters), in W1, b1, ... order; the patterns that match nothing are returned too,
    /// so a caller can say which one is wrong.
    public static func select(_ patterns: [String], in network: Network) -> (selected: Set<ParameterID>, unmatched: [String]) {
        var selected = Set<ParameterID>()
        var unmatched: [String] = []
        for pattern in patterns {
            let matches = network.parameterIDs.filter { Self.matches(pattern, $0.name) }
            if matches.isEmpty { unmatched.append(pattern) }
            selected.formUnion(matches)
        }
        return (selected, unmatched)
    }

    /// Glob matching with `*` only.
    static func matches(_ pattern: String, _ name: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return pattern == name }
        guard name.hasPrefix(parts[0]), name.hasSuffix(parts[parts.count - 1]),
            name.count >= parts[0].count + parts[parts.count - 1].count
        else { return false }
        var rest = Substring(name.dropFirst(parts[0].count).dropLast(parts[parts.count - 1].count))
        for middle in parts.dropFirst().dropLast() where !middle.isEmpty {
            guard let range = rest.range(of: middle) else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }
    /// Keep every entry's analytic and numeric value in the report (`ParameterReport.entries`),
    /// for heatmaps; off by default, as the JSON answer does not need them.
    public var keepsEntries = false

    /// 1e-7 for central differences (the notebook's); 1e-20 for complex step, whose step can be
    /// tiny because nothing is subtracted.
    public static func defaultEpsilon(for method: DifferenceMethod) -> Double {
        method == .central ? 1e-7 : 1e-20
    }

    /// `epsilon` nil means the method's default step (`defaultEpsilon(for:)`).
    public init(method: DifferenceMethod = .central, epsilon: Double? = nil, threshold: Double = 1e-7, mode: Mode = .full) {
        self.method = method
        self.epsilon = epsilon ?? Self.defaultEpsilon(for: method)
        self.threshold = threshold
        self.mode = mode
    }
}
