/// Compares one tensor's analytic gradient with its numerical estimate and explains a mismatch.
struct TensorComparison {
    /// The gradient compared (dW1, db1, or an intermediate dZ2, dA1).
    let gradient: GradientName
    /// The check's threshold: sets how close to the one-sided quotients a subgradient must be.
    let threshold: Double
    var analytic: [Double] = []
    var numeric: [Double] = []
    var indices: [EntryIndex] = []
    var kinks: [EntryIndex] = []
    /// Kink entries checked as subgradients (compared with the nearest point between their
    /// one-sided quotients, and counted in `analytic`/`numeric` like any other entry).
    var subgradientCount = 0
    /// The rounding model's error estimate of each compared entry, per unit roundoff.
    var floorErrors: [Double] = []
    var checkedCount = 0
    /// Every entry as checked, when the caller asked for them (`keepsEntries`).
    var entries: TensorEntries?

    init(
        gradient: GradientName, threshold: Double,
        keepingEntriesOf shape: (rows: Int, cols: Int)? = nil
    ) {
        self.gradient = gradient
        self.threshold = threshold
        entries = shape.map { TensorEntries(rows: $0.rows, cols: $0.cols) }
    }

    /// How many kink entries a report lists by index.
    static let kinkExamplesShown = 5

    mutating func add(index: EntryIndex, analytic a: Double, numeric n: NumericalDerivative, floorError: Double = 0) {
        checkedCount += 1
        entries?.record(index, analytic: a, numeric: n.value, crossesKink: n.crossesKink)
        if n.crossesKink { kinks.append(index) }
        guard let compared = Self.compared(a, n, threshold: threshold) else { return }
        if n.crossesKink { subgradientCount += 1 }
        analytic.append(a)
        numeric.append(compared)
        indices.append(index)
        floorErrors.append(floorError)
    }

    /// How far one-sided quotients may be widened: their truncation error is O(eps) (not the
    /// central difference's O(eps^2)), about 1e-7 relative at the default step.
    static let subgradientSlack = 10.0

    /// The numerical value an analytic value `a` is compared with: the central quotient, or at a
    /// kink the nearest point between the one-sided quotients (so a valid subgradient matches
    /// exactly and any other value is off by its distance to the interval); nil for a kink the
    /// engine gave no one-sided quotients for (left out, as before).
    static func compared(_ a: Double, _ n: NumericalDerivative, threshold: Double) -> Double? {
        guard n.crossesKink else { return n.value }
        guard let sides = n.oneSided else { return nil }
        let tolerance = subgradientSlack * threshold * max(abs(sides.left), abs(sides.right))
        return sides.nearest(to: a, tolerance: tolerance)
    }

    /// The tensor judged on its own scale. `unitRoundoff`: the caller's precision, which scales
    /// `floorErrors` into the floor; `absoluteFloor`: the magnitude at or below which an entry
    /// is indistinguishable from zero (`VerdictRule.absoluteFloor`); `floorPerUnitRoundoff`,
    /// when given, is the tensor's floor (an intermediate's, estimated for the whole tensor)
    /// instead of one from `floorErrors`.
    func report(
        threshold: Double, unitRoundoff: Double = Precision.float64.unitRoundoff, absoluteFloor: Double = 0,
        floorPerUnitRoundoff: Double? = nil
    ) -> ParameterReport {
        let a = Norms.euclidean(analytic)
        let n = Norms.euclidean(numeric)
        let residual = Norms.euclideanDistance(analytic, numeric)
        var worst: WorstEntry?
        var largest = -1.0
        for i in analytic.indices where abs(analytic[i] - numeric[i]) > largest {
            largest = abs(analytic[i] - numeric[i])
            worst = WorstEntry(index: indices[i], analytic: analytic[i], numeric: numeric[i])
        }
        let difference = a.isNaN || n.isNaN ? .nan : a + n == 0 ? 0 : residual / (a + n)
        let floor = unitRoundoff * (floorPerUnitRoundoff ?? RoundingFloor.floor(errors: floorErrors, analytic: analytic, numeric: numeric))
        var maxRelativeError = 0.0
        var excess = 0.0
        var distinguishable = false
        for i in analytic.indices {
            let (x, y) = (analytic[i], numeric[i])
            maxRelativeError = max(maxRelativeError, VerdictRule.relativeError(x, y))
            // An intermediate's floor is relative: ||s|| / (2 ||v||) per unit roundoff.
            let error = floorPerUnitRoundoff.map { $0 * (abs(x) + abs(y)) } ?? floorErrors[i]
            let tolerance = VerdictRule.safetyFactor * unitRoundoff * error + absoluteFloor
            excess = max(excess, VerdictRule.excessRelativeError(x, y, tolerance: tolerance))
            if !(max(abs(x), abs(y)) <= absoluteFloor) { distinguishable = true }
        }
        let band = VerdictRule.Band(maxRelativeError: excess, kinks: kinks.count)
        let outcome = VerdictRule.tensorOutcome(
            difference: difference, threshold: threshold, floor: floor, band: band, distinguishable: distinguishable)
        let (ratio, diagnosis) = outcome == .failed ? explain(analyticNorm: a, numericNorm: n) : (nil, nil)
        return ParameterReport(
            gradient: gradient, difference: difference, passed: outcome == .passed, inconclusive: outcome == .inconclusive,
            checkedCount: checkedCount, worst: worst, ratio: ratio, diagnosis: diagnosis, kinkCount: kinks.count,
            kinkExamples: Array(kinks.prefix(Self.kinkExamplesShown)), subgradientCount: subgradientCount, floor: floor,
            maxRelativeError: maxRelativeError, band: band, entries: entries)
    }

    /// A consistent ratio a = r n is found by least squares (r = a.n / n.n) and accepted when the
    /// residual ||a - r n|| is within `ratioFitTolerance` of ||a||: entries that are zero on both
    /// sides agree with any r, so they neither break nor fake the pattern.
    private func explain(analyticNorm a: Double, numericNorm n: Double) -> (Double?, String?) {
        let name = gradient.name
        if let zero = Self.zeroSideExplanation(name, analyticNorm: a, numericNorm: n) { return zero }
        // Scaled sums (`ScaledSum`), so the ratio of a tensor of 1e-165 or 1e160 is found too,
        // as a merged shard finds it.
        var dot = ScaledSum()
        var nn = ScaledSum()
        for i in analytic.indices {
            dot.add(analytic[i], times: numeric[i])
            nn.add(numeric[i], times: numeric[i])
        }
        let unit = max(dot.scale, nn.scale)
        let r = dot.value(inUnitsOf: unit) / nn.value(inUnitsOf: unit)
        var misfit = ScaledSum()
        for i in analytic.indices {
            let e = analytic[i] - r * numeric[i]
            misfit.add(e, times: e)
        }
        if let scaled = Self.ratioExplanation(name, ratio: r, misfitNorm: misfit.root, analyticNorm: a) {
            return scaled
        }
        let tolerance = 1e-6 * max(a, n) / Double(max(analytic.count, 1)).squareRoot()
        let wrong = analytic.indices.filter { abs(analytic[$0] - numeric[$0]) > tolerance }.count
        return (
            nil,
            "\(wrong) of \(analytic.count) \(analytic.count == 1 ? "entry" : "entries") of \(name) disagree with the numerical gradient"
        )
    }

    /// A norm at or below this fraction of the other side's is (all) zero.
    static let zeroNormFraction = 1e-12

    /// The least-squares ratio explains a tensor when the misfit ||a - r n|| is within this
    /// fraction (0.1%) of ||a||: a real scaling mistake fits to rounding, a mixed one does not.
    static let ratioFitTolerance = 1e-3

    /// When one side is (all) zero, the ratio and the sentence that say so; nil otherwise.
    /// Shared with a merged shard's tensors, which explain from sums.
    static func zeroSideExplanation(_ name: String, analyticNorm a: Double, numericNorm n: Double) -> (Double?, String?)? {
        if a <= zeroNormFraction * n { return (0, "\(name) is all zero but the numerical gradient is not") }
        if n <= zeroNormFraction * a { return (nil, "\(name) is not zero but the numerical gradient is (all zero)") }
        return nil
    }

    /// The ratio `r` and its sentence when it fits (`ratioFitTolerance`) and is not 1; nil
    /// otherwise. Shared with a merged shard's tensors.
    static func ratioExplanation(_ name: String, ratio r: Double, misfitNorm: Double, analyticNorm a: Double) -> (Double?, String?)? {
        guard misfitNorm <= ratioFitTolerance * a && ScaleFactor.differsFromOne(r) else { return nil }
        let shown = threeDecimals(r)
        if ScaleFactor.isMinusOne(r) { return (r, "\(name) has its sign flipped (\(shown) times the numerical gradient)") }
        return (r, "\(name) is \(shown) times the numerical gradient")
    }

    /// "2.000", "-1.000": Foundation-free fixed-point formatting.
    static func threeDecimals(_ x: Double) -> String {
        let scaled = (abs(x) * 1000).rounded()
        guard scaled < 1e15 else { return "\(x)" }
        let whole = Int(scaled) / 1000
        let fraction = Int(scaled) % 1000
        let digits = String(fraction)
        return (x < 0 && scaled > 0 ? "-" : "") + "\(whole)." + String(repeating: "0", count: 3 - digits.count) + digits
    }
}

/// Euclidean norms with compensated sums: the difference is a ratio of such norms, and their
/// accuracy bounds how small a difference can be reported. Entries are scaled by the largest
/// magnitude first, so a caller's 1e200 gradient gives a finite difference, not inf / inf.
enum Norms {
    static func euclidean(_ v: [Double]) -> Double {
        scaledNorm(v.count) { v[$0] }
    }

    static func euclideanDistance(_ a: [Double], _ b: [Double]) -> Double {
        scaledNorm(a.count) { a[$0] - b[$0] }
    }

    /// The notebook's difference; 0 (not NaN) when both vectors are exactly zero.
    static func difference(_ a: [Double], _ b: [Double]) -> Double {
        let denominator = euclidean(a) + euclidean(b)
        return denominator == 0 ? 0 : euclideanDistance(a, b) / denominator
    }

    /// NaN when any entry is NaN, infinity when any is infinite: a norm never hides a value it
    /// could not measure (`max` alone would skip NaN, and a NaN gradient would then "pass").
    private static func scaledNorm(_ count: Int, _ entry: (Int) -> Double) -> Double {
        var largest = 0.0
        for i in 0..<count {
            let magnitude = abs(entry(i))
            if magnitude.isNaN { return .nan }
            largest = max(largest, magnitude)
        }
        guard largest > 0, largest.isFinite else { return largest }
        var s = CompensatedSum()
        for i in 0..<count {
            let x = entry(i) / largest
            s.add(x * x)
        }
        return largest * s.value.squareRoot()
    }
}
