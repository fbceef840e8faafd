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
    /// so a caller can say which one is wrong. Each pattern is compiled once (`TensorPattern`):
    /// a name without `*` is one dictionary lookup, a pattern with `*` is matched against each
    /// name in time linear in the two lengths (no backtracking), so the whole selection costs at
    /// most `selectionOperations`. Nil when `shouldStop` (polled every few thousand matches)
    /// said so.
    public static func select(
        _ patterns: [String], in network: Network, shouldStop: () -> Bool = { false }
    ) -> (selected: Set<ParameterID>, unmatched: [String])? {
        let ids = network.parameterIDs
        var byName: [String: ParameterID] = [:]
        var names: [[UInt8]] = []
        names.reserveCapacity(ids.count)
        for id in ids {
            let name = id.name
            byName[name] = id
            names.append(Array(name.utf8))
        }
        var selected = Set<ParameterID>()
        var unmatched: [String] = []
        var compiled: [TensorPattern: Bool] = [:]
        var steps = 0
        for pattern in patterns {
            let tensorPattern = TensorPattern(pattern)
            if let matchedBefore = compiled[tensorPattern] {
                if !matchedBefore { unmatched.append(pattern) }
                continue
            }
            var matched = false
            if !tensorPattern.hasWildcard {
                if let id = byName[pattern] {
                    selected.insert(id)
                    matched = true
                }
            } else {
                for (id, name) in zip(ids, names) {
                    steps += 1
                    if steps % 4096 == 0 && shouldStop() { return nil }
                    if tensorPattern.matches(name) {
                        selected.insert(id)
                        matched = true
                    }
                }
            }
            compiled[tensorPattern] = matched
            if !matched { unmatched.append(pattern) }
        }
        return (selected, unmatched)
    }

    /// The most patterns `only` may list, and the longest pattern (in bytes).
    public static let maxOnlyPatterns = 1024
    public static let maxOnlyPatternBytes = 64

    /// What `select` costs at most, in byte comparisons: each distinct pattern with `*` against
    /// each tensor name (a matcher step per byte of both), and a lookup per pattern.
    public static func selectionOperations(_ patterns: [String], tensors: Int) -> Double {
        var distinct = Set<TensorPattern>()
        var cost = 0.0
        for pattern in patterns {
            let compiled = TensorPattern(pattern)
            cost += 1
            if compiled.hasWildcard && distinct.insert(compiled).inserted {
                cost += Double(tensors) * Double(pattern.utf8.count + 16)
            }
        }
        return cost
    }

    /// Glob matching with `*` only.
    static func matches(_ pattern: String, _ name: String) -> Bool {
        TensorPattern(pattern).matches(name)
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
