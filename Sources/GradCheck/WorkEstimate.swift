/// A documented price for a gradient check, computed before any of its work starts: arithmetic
/// (`operations`) and memory (`peakBytes`), so the service can refuse a request up front rather
/// than tie up a worker for an hour or allocate more than the machine has.
///
/// Unit of work: floating-point operations as `FastEngine.estimatedOperations` counts them (about
/// 2.5e9 per second per core on the project's 2-core machine), plus fixed per-coordinate,
/// per-direction and per-layer overheads (allocations, calls) measured in the same unit, so that
/// tiny networks with huge counts (1e7 directions, 8,000 layers of width 1) are priced too.
/// `full` prices every coordinate of every tensor, `sample` the sampled share of each tensor,
/// `directional` one (complex) or two (central) forward passes per direction; every mode adds
/// the engine's setup and one backward pass.
///
/// For ReLU and leaky ReLU this price assumes the engine's linear fast path. That is not an upper
/// bound for every input (units sitting on their kink leave the fast path), so `FastEngine`
/// re-prices the check from the check point once its cache is built and stops over-budget work
/// through `StopSignal.admit`, before the coordinate loop starts.
public struct WorkEstimate: Sendable, Equatable, CustomStringConvertible {
    /// Operations the check is estimated to take.
    public let operations: Double
    /// Bytes the check allocates at its peak, beyond the parsed request (network, inputs, labels
    /// and the caller's gradients): engine cache, backward pass, per-coordinate bookkeeping,
    /// per-thread scratch and the encoded answer.
    public let peakBytes: Double
    /// Coordinates (or directions) the check compares.
    public let comparisons: Int
    public let costEvaluations: Int

    /// The sample `operationsPerSampledCoordinate` is priced from: small, so each coordinate
    /// shares little with its row and the price per coordinate errs high.
    static let pricedSample = 64

    /// Operations per second per core the estimate assumes when it speaks in seconds.
    public static let operationsPerSecondPerCore = 2.5e9
    /// Bookkeeping of one compared coordinate: its `Coordinate`, numerical value and kink flag,
    /// the per-tensor comparison arrays and the verdict's vectors (about 112 bytes, rounded up).
    public static let bytesPerCoordinate = 128.0
    /// Fixed work per compared coordinate (chunk hand-out, compensated sums, the comparison).
    static let operationsPerCoordinate = 200.0
    /// Fixed work per direction: drawing a Gaussian vector per parameter tensor, the dictionaries
    /// of matrices it lives in, normalising it (measured: about 3 us per direction on a
    /// two-parameter network, which is 8,000 operations at the rate above).
    static let operationsPerDirection = 10_000.0
    /// Directions listed one by one in an answer; beyond this the answer summarises (see notes).
    public static let listedDirections = 1000
    /// Encoded size of one listed direction (`{"analytic":...,"numeric":...,"crosses_kink":false}`).
    static let bytesPerListedDirection = 100.0
    /// Encoded size of one tensor's report (difference, worst entry, diagnosis, kinks).
    static let bytesPerTensorReport = 1000.0

    /// The part of a sharded full check this estimate prices; nil for a whole check.
    public let shard: ShardSpec?
    /// What every part of a split check repeats whatever its share: the engine's setup, the base
    /// forward pass and the backward pass. A budget at or below it fits no part.
    public let repeatedOperations: Double
    /// What one coordinate of `mode: "sample"` adds to the price of this network's check (a
    /// sampled coordinate shares less work with its row than a full check's average one), priced
    /// from a small sample so that it errs high; 0 in directional mode. A refusal sizes the sample
    /// it suggests with it.
    public let operationsPerSampledCoordinate: Double

    /// `intermediates`: the caller's dZ_l / dA_l, checked numerically and replayed by the
    /// diagnosis (not in directional mode). `shard`: price only that part of a full check (its
    /// coordinates, the engine's setup and the passes every part repeats), so a check too large
    /// for one replica fits the budget once it is split into enough parts.
    public init(
        network: Network, examples m: Int, options: GradientCheckOptions, threads: Int = 2,
        intermediates: [GradientName] = [], shard: ShardSpec? = nil
    ) {
        self.shard = shard
        let forward = Self.forwardOperations(of: network, examples: m)
        // `only` narrows every mode to the chosen tensors.
        let ids = network.parameterIDs.filter { options.only?.contains($0) ?? true }
        let total = ids.reduce(0) { $0 + network[$1].count }
        var numerical = 0.0
        switch options.mode {
        case .full:
            numerical = FastEngine.setupOperations(of: network, examples: m)
            if let shard {
                let part = ShardPartition.price(
                    of: network, examples: m, method: options.method, only: options.only, shard: shard)
                comparisons = part.coordinates
                numerical += part.operations
            } else {
                comparisons = total
                for id in ids {
                    numerical += FastEngine.estimatedOperations(
                        of: network, examples: m, parameter: id,
                        coordinates: network[id].count, method: options.method)
                }
            }
        case let .sample(count, _):
            comparisons = min(max(count, ids.count), total)
            let share = Double(comparisons) / Double(max(total, 1))
            numerical = FastEngine.setupOperations(of: network, examples: m)
            for id in ids {
                let coordinates = max(1, Int((Double(network[id].count) * share).rounded(.up)))
                numerical += FastEngine.estimatedOperations(
                    of: network, examples: m, parameter: id,
                    coordinates: coordinates, method: options.method)
            }
        case let .directional(count, _):
            comparisons = max(count, 1)
            // Each direction: a random unit vector over every parameter, then its cost evaluations.
            numerical =
                Double(comparisons)
                * (Double(options.method.evaluationsPerCoordinate) * forward + 4 * Double(total) + Self.operationsPerDirection)
        }
        costEvaluations = comparisons * options.method.evaluationsPerCoordinate
        let perComparison = Self.operationsPerCoordinate * Double(comparisons)
        var diagnosis = 0.0
        var diagnosisBytes = 0.0
        if !intermediates.isEmpty, options.mode.kind != .directional {
            // The numerical intermediates, and the diagnosis's own backward and replays (a few
            // passes over every layer, a few candidate tensors at a time).
            diagnosis = FastEngine.intermediateOperations(of: network, examples: m, names: intermediates) + 20 * forward
            let entries = intermediates.reduce(0.0) { total, name in
                total + Double(m)
                    * Double(name.layer == 0 ? network.layers.first?.weights.cols ?? 0 : network.layers[name.layer - 1].weights.rows)
            }
            diagnosisBytes = Self.backwardBytes(of: network, examples: m) + Self.engineCacheBytes(of: network, examples: m) + 64 * entries
        }
        operations = numerical + perComparison + 3 * forward + diagnosis  // + the base forward and a backward (about two forwards)
        if options.mode.kind == .directional || total == 0 {
            operationsPerSampledCoordinate = 0
        } else {
            let sampled = min(Self.pricedSample, total)
            let share = Double(sampled) / Double(total)
            let coordinates = ids.map { max(1, Int((Double(network[$0].count) * share).rounded(.up))) }
            let work = zip(ids, coordinates).reduce(0.0) { sum, item in
                sum
                    + FastEngine.estimatedOperations(
                        of: network, examples: m, parameter: item.0, coordinates: item.1, method: options.method)
            }
            operationsPerSampledCoordinate = work / Double(coordinates.reduce(0, +)) + Self.operationsPerCoordinate
        }
        repeatedOperations =
            (options.mode.kind == .directional ? 0 : FastEngine.setupOperations(of: network, examples: m)) + 3 * forward
        peakBytes =
            Self.checkBytes(network: network, examples: m, options: options, comparisons: comparisons, threads: threads)
            + diagnosisBytes
    }

    /// 2 * m * sum_l n_l * n_{l-1}: one forward pass's multiplies and adds.
    public static func forwardOperations(of network: Network, examples m: Int) -> Double {
        network.layers.reduce(0) { $0 + 2 * Double($1.weights.count) * Double(m) }
    }

    /// Per unit and example of a forward pass: the activation (or output) function, the bias,
    /// the loss; with a fixed cost per layer. Together with `forwardOperations` and one
    /// operation per byte the pass allocates (zeroing, page faults), an upper bound on the time
    /// of `/forward`, which cannot be stopped halfway.
    static let operationsPerUnitExample = 250.0

    /// A whole forward pass: products, activations, and touching the memory it allocates.
    public static func forwardPassOperations(of network: Network, examples m: Int) -> Double {
        forwardOperations(of: network, examples: m) + operationsPerUnitExample * units(of: network) * Double(m)
            + forwardBytes(of: network, examples: m) + FastEngine.operationsPerPropagatedLayer * Double(network.depth)
    }

    // MARK: memory

    /// n_1 + ... + n_L: the rows of every layer's Z and A.
    static func units(of network: Network) -> Double {
        network.layers.reduce(0) { $0 + Double($1.weights.rows) }
    }

    /// A forward pass keeps Z_l and A_l for every layer (m columns each) and one loss per example.
    public static func forwardBytes(of network: Network, examples m: Int) -> Double {
        8 * Double(m) * (2 * units(of: network) + 1)
    }

    /// Backward: the forward cache, dZ_l and dA_l of the layer in hand and the one above (about
    /// three more m-column blocks per layer in all), and one gradient per parameter.
    public static func backwardBytes(of network: Network, examples m: Int) -> Double {
        forwardBytes(of: network, examples: m) + 8 * Double(m) * 3 * units(of: network) + 8 * Double(network.parameterCount)
    }

    /// The engine's cache (`EngineCache`): A, Z and f'(Z) of every layer, nL sensitivities per
    /// hidden unit, the kink bounds, the output's probabilities, labels and logit gradient, plus
    /// the largest product it builds at once.
    public static func engineCacheBytes(of network: Network, examples m: Int) -> Double {
        guard let last = network.layers.last else { return 0 }
        let nL = Double(last.weights.rows)
        let hidden = units(of: network) - nL
        let inputs = Double(network.layers.first?.weights.cols ?? 0)
        // Kinked: the kink bounds. Smooth: the loss expansion of every hidden row (4 Taylor
        // coefficients and a growth rate per example, `LossExpansionTable`).
        let perHiddenUnit = 3 + nL + (network.activation.hasKinks ? 1 : 5)
        let widest = network.layers.reduce(0.0) { max($0, Double($1.weights.rows)) }
        let widestWeights = network.layers.reduce(0.0) { max($0, Double($1.weights.count)) }
        return 8 * Double(m) * (inputs + hidden * perHiddenUnit + 5 * nL + 2 * widest * (1 + nL)) + 8 * widestWeights
    }

    /// Scratch of one engine thread taking a coordinate off the fast path: the logit change both
    /// ways, the moved columns, and dZ and dA of the layer in hand; for smooth activations the
    /// larger of that and a row's expansion in progress (dZ and dA series, 4 orders each).
    static func threadScratchBytes(of network: Network, examples m: Int) -> Double {
        let nL = Double(network.layers.last?.weights.rows ?? 0)
        let widest = network.layers.reduce(0.0) { max($0, Double($1.weights.rows)) }
        let layerInHand = network.activation.hasKinks ? 4 * widest : 8 * widest
        return 8 * Double(m) * (3 * nL + layerInHand + 4)
    }

    static func checkBytes(network: Network, examples m: Int, options: GradientCheckOptions, comparisons: Int, threads: Int) -> Double {
        // The analytic side: the service's own backward when the caller sent no gradients, or
        // the checker's copy of the caller's (counted the same way: the larger of the two).
        let analytic = backwardBytes(of: network, examples: m)
        let tensors = Double(network.parameterIDs.count)
        switch options.mode {
        case .full, .sample:
            return analytic + engineCacheBytes(of: network, examples: m)
                + Double(max(1, threads)) * threadScratchBytes(of: network, examples: m)
                + Self.bytesPerCoordinate * Double(comparisons) + Self.bytesPerTensorReport * tensors
        case .directional:
            // One direction at a time (drawn, then normalised into a copy), two forward passes.
            let listed = Double(min(comparisons, Self.listedDirections))
            return analytic + 2 * 8 * Double(network.parameterCount) + 2 * forwardBytes(of: network, examples: m)
                + 16 * Double(comparisons) + Self.bytesPerListedDirection * listed + Self.bytesPerTensorReport
        }
    }

    // MARK: time

    /// Seconds this price may take before `StopSignal` calls it a mispricing: three times the
    /// priced time on `cores` cores (two checks share the cores; rounding of the model), plus one
    /// second for the fixed costs the model leaves out (page faults, scheduling).
    public static func allowedSeconds(operations: Double, cores: Int) -> Double {
        3 * operations / (Double(max(1, cores)) * operationsPerSecondPerCore) + 1
    }

    public func exceeds(budget: Double) -> Bool { operations > budget }

    /// Seconds the priced operations take on `cores` cores at `operationsPerSecondPerCore`
    /// (the service quotes this when it refuses the work).
    public func seconds(onCores cores: Int) -> Double {
        operations / (Double(max(1, cores)) * Self.operationsPerSecondPerCore)
    }

    public var description: String { "\(Self.scientific(operations)) operations" }

    /// "4.4e+14": three significant digits, no Foundation formatting.
    public static func scientific(_ x: Double) -> String {
        guard x.isFinite, x > 0 else { return "\(x)" }
        var exponent = 0
        var mantissa = x
        while mantissa >= 10 {
            mantissa /= 10
            exponent += 1
        }
        while mantissa < 1 {
            mantissa *= 10
            exponent -= 1
        }
        var rounded = (mantissa * 100).rounded() / 100
        // 9.996 rounds up to 10.00: carry into the exponent so the mantissa stays below 10.
        if rounded >= 10 {
            rounded /= 10
            exponent += 1
        }
        return "\(rounded)e\(exponent >= 0 ? "+" : "")\(exponent)"
    }
}
