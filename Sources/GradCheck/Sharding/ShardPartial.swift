/// One tensor's share of a sharded check: the sums its difference, floor and ratio are made
/// of (scaled as LAPACK's dlassq does and compensated, `ScaledSum`, so merging loses nothing
/// and nothing underflows or overflows at 1e-200 or 1e200), its worst entry,
/// its kinks and its counts. Partials of the same tensor from consecutive shards merge, in shard
/// order, into what `TensorComparison` computes from every entry at once.
public struct TensorPartial: Sendable {
    public let gradient: GradientName
    public var name: String { gradient.reportKey }
    /// Entries checked (kinks included) and entries compared (kinks without quotients left out).
    public var checkedCount = 0
    public var comparedCount = 0
    /// Sums over the compared entries of a^2, n^2, (a - n)^2, a n and the floor errors squared.
    public var analyticSquares = ScaledSum()
    public var numericSquares = ScaledSum()
    public var differenceSquares = ScaledSum()
    public var products = ScaledSum()
    public var floorErrorSquares = ScaledSum()
    /// The first entry with the largest |a - n| (ties go to the earlier entry).
    public var worst: WorstEntry?
    public var kinkCount = 0
    /// The first `TensorComparison.kinkExamplesShown` kinks, in entry order.
    public var kinkExamples: [EntryIndex] = []
    public var subgradientCount = 0
    public var maxRelativeError = 0.0
    /// The largest relative error rounding does not explain (`VerdictRule.excessRelativeError`),
    /// and how many compared entries stand above the absolute floor: the tensor's band and
    /// whether it is inconclusive.
    public var excessRelativeError = 0.0
    public var distinguishableCount = 0

    public init(gradient: GradientName) {
        self.gradient = gradient
    }

    /// How many kink entries a tensor lists (`TensorComparison.kinkExamplesShown`).
    public static var kinkExamplesShown: Int { TensorComparison.kinkExamplesShown }

    /// |a - n| of the worst entry; -1 without one (as `TensorComparison.report` starts).
    var largest: Double { worst.map { abs($0.analytic - $0.numeric) } ?? -1 }

    mutating func add(
        index: EntryIndex, analytic a: Double, numeric n: NumericalDerivative, floorError: Double, threshold: Double,
        unitRoundoff: Double, absoluteFloor: Double
    ) {
        checkedCount += 1
        if n.crossesKink {
            kinkCount += 1
            if kinkExamples.count < TensorComparison.kinkExamplesShown { kinkExamples.append(index) }
        }
        guard let compared = TensorComparison.compared(a, n, threshold: threshold) else { return }
        if n.crossesKink { subgradientCount += 1 }
        comparedCount += 1
        let d = a - compared
        analyticSquares.add(a, times: a)
        numericSquares.add(compared, times: compared)
        differenceSquares.add(d, times: d)
        products.add(a, times: compared)
        floorErrorSquares.add(floorError, times: floorError)
        if abs(d) > largest { worst = WorstEntry(index: index, analytic: a, numeric: compared) }
        maxRelativeError = max(maxRelativeError, VerdictRule.relativeError(a, compared))
        let tolerance = VerdictRule.safetyFactor * unitRoundoff * floorError + absoluteFloor
        excessRelativeError = max(excessRelativeError, VerdictRule.excessRelativeError(a, compared, tolerance: tolerance))
        if !(max(abs(a), abs(compared)) <= absoluteFloor) { distinguishableCount += 1 }
    }

    /// What no honest partial can hold, or nil: ||a - n|| <= ||a|| + ||n||, |a.n| <= ||a|| ||n||,
    /// the worst entry's |a - n| <= ||a - n||, relative errors at most 2 (the excess at most the
    /// whole), and the counts nested (distinguishable <= compared <= checked). A merge refuses
    /// such a partial whether or not it is signed.
    public var inconsistency: String? {
        let slack = 1 + 1e-9
        let (a, n, d) = (analyticSquares.root, numericSquares.root, differenceSquares.root)
        if !(d <= (a + n) * slack) && !(a.isNaN || n.isNaN) {
            return "||a - n|| = \(d) is more than ||a|| + ||n|| = \(a + n)"
        }
        // |a.n| / (||a|| ||n||) <= 1, multiplied and divided in turns so nothing overflows.
        let dot = abs(products.sum.value)
        let scale = products.scale
        let cosine = a == 0 || n == 0 ? (dot == 0 ? 0 : .infinity) : dot * scale / a * scale / n
        if !(cosine <= slack) { return "|a.n| is more than ||a|| ||n||" }
        if let worst, !(abs(worst.analytic - worst.numeric) <= d * slack) {
            return "the worst entry differs by more than ||a - n||"
        }
        if !(maxRelativeError <= 2 * slack) || !(excessRelativeError <= maxRelativeError * slack) {
            return "a relative error outside 0...2 (or an excess above it)"
        }
        if distinguishableCount > comparedCount || comparedCount > checkedCount || (comparedCount > 0) != (worst != nil) {
            return "its counts do not nest (distinguishable \(distinguishableCount), compared \(comparedCount), checked \(checkedCount))"
        }
        return nil
    }

    /// Continues this tensor with the entries of a later shard.
    public mutating func merge(_ later: TensorPartial) {
        checkedCount += later.checkedCount
        comparedCount += later.comparedCount
        analyticSquares.add(later.analyticSquares)
        numericSquares.add(later.numericSquares)
        differenceSquares.add(later.differenceSquares)
        products.add(later.products)
        floorErrorSquares.add(later.floorErrorSquares)
        if later.largest > largest { worst = later.worst }
        kinkCount += later.kinkCount
        kinkExamples = Array((kinkExamples + later.kinkExamples).prefix(TensorComparison.kinkExamplesShown))
        subgradientCount += later.subgradientCount
        maxRelativeError = max(maxRelativeError, later.maxRelativeError)
        excessRelativeError = max(excessRelativeError, later.excessRelativeError)
        distinguishableCount += later.distinguishableCount
    }
}

/// The answer of one shard of a full check: its tensors' partial sums plus what the merge
/// needs to write the whole answer (the options, the notes that do not depend on counts).
public struct ShardPartial: Sendable {
    public var shard: ShardSpec
    /// Identifies the network, data and options; every shard of one check carries the same one
    /// (the service hashes the request; the core leaves it empty).
    public var fingerprint = ""
    public var epsilon: Double
    public var threshold: Double
    public var method: DifferenceMethod
    public var methodUsed: DifferenceMethod
    public var precision: Precision
    /// Every checked tensor, in W1, b1, ... order, including those this shard has no entry of.
    public var tensors: [TensorPartial]
    public var costEvaluations = 0
    public var elapsedSeconds = 0.0
    /// Notes about the gradients and method (before the count notes) and the pre-flight notes
    /// (after them): the same in every shard.
    public var leadingNotes: [String] = []
    public var trailingNotes: [String] = []
    /// The caller sent gradients, and every one of them is a float32 value.
    public var float32Gradients = false
    /// The HMAC-SHA256 tag the service signed the partial with (hex), when the replicas share a
    /// key; the core neither makes nor reads it.
    public var signature: String?

    public init(
        shard: ShardSpec, epsilon: Double, threshold: Double, method: DifferenceMethod, methodUsed: DifferenceMethod,
        precision: Precision, tensors: [TensorPartial]
    ) {
        self.shard = shard
        self.epsilon = epsilon
        self.threshold = threshold
        self.method = method
        self.methodUsed = methodUsed
        self.precision = precision
        self.tensors = tensors
    }

    public var checkedCount: Int { tensors.reduce(0) { $0 + $1.checkedCount } }
}
