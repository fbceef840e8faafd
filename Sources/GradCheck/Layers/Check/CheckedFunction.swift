/// A scalar function of named tensors, as the layer checks see it: the tensors whose gradients
/// are checked, the function's value and absolute scale at the point, and displaced evaluations.
/// A layer check is `sum(upstream * layer(inputs))` (`LayerObjective`); a network check is its
/// loss (`NetworkObjective`).
public protocol CheckedFunction: Sendable {
    /// The checked tensors in order: the gradient's name (`dx`, `conv1.dw`) and the tensor's shape.
    var coordinates: [(gradient: String, shape: [Int])] { get }
    /// f at the point, and the sum of the absolute values f adds up (its rounding scale).
    func value() -> (f: Double, scale: Double)
    /// A fresh evaluator for one thread (`DisplacedValue`: tensor index, entries, displacement).
    func makeEvaluator() -> DisplacedValue
    /// Per checked tensor, groups of entries to be compared jointly (maxima tied to within
    /// `resolution`).
    func tiedGroups(within resolution: Double) -> [[[Int]]]
    /// Entry `entry` of checked tensor `tensor` at the point (the steps it can take depend on it).
    func coordinateValue(_ tensor: Int, _ entry: Int) -> Double
    /// The most terms one gradient entry's sum can add up (the size of the largest array the
    /// backward reads): the caller's rounding in a low precision grows with it.
    var reductionLength: Int { get }
}

/// What the numerical side of a layer or network check found, gradient by gradient.
public enum NumericalCheck {
    /// The verdicts on `analytic` (by gradient name; only the names present are judged, in the
    /// function's order), with quotients at step `h`. Nil when `stop` stopped the work.
    public static func run(
        _ function: some CheckedFunction, analytic: [String: Tensor], step h: Double, threshold: Double,
        precision: Precision = .float64, stop: StopSignal, cores: Int
    ) -> (verdicts: [GradientVerdict], evaluations: Int)? {
        let all = function.coordinates
        let checked = all.indices.filter { analytic[all[$0].gradient] != nil }
        let (f0, scale) = function.value()
        let noise = LayerJudge.noise(scale: scale + abs(f0), step: h)
        let make = { @Sendable in function.makeEvaluator() }
        let counts = checked.map { Tensor.count(of: all[$0].shape) }
        let restricted: @Sendable () -> DisplacedValue = {
            let evaluate = make()
            return { tensor, entries, delta in evaluate(checked[tensor], entries, delta) }
        }
        guard
            let quotients = CentralQuotients.measure(
                counts: counts, step: h, f0: f0, stop: stop, cores: cores,
                valueAt: { tensor, entry in function.coordinateValue(checked[tensor], entry) }, makeEvaluator: restricted)
        else { return nil }
        let groups = function.tiedGroups(within: 2 * h)
        let evaluate = function.makeEvaluator()
        var evaluations = 2 * counts.reduce(0, +) + 1
        var verdicts: [GradientVerdict] = []
        for (k, t) in checked.enumerated() {
            let ties = TiedComponents(groups.indices.contains(t) ? groups[t] : [])
            // One-sided too: at a step wider than the gap between a window's tied maximum and its
            // runner-up, the direction crosses a kink of its own (see `LayerJudge.judge`).
            let joint = ties.components.map { component in
                let (plus, minus) = (evaluate(t, component, h), evaluate(t, component, -h))
                return Quotients(central: (plus - minus) / (2 * h), left: (f0 - minus) / h, right: (plus - f0) / h)
            }
            evaluations += 2 * ties.components.count
            let judge = { (quotients: [Quotients], noise: Double, truncation: [Double]) in
                LayerJudge.judge(
                    name: all[t].gradient, analytic: analytic[all[t].gradient]!, quotients: quotients, ties: ties,
                    joint: joint, noise: noise, threshold: threshold, precision: precision,
                    reductionLength: function.reductionLength, truncation: truncation)
            }
            var verdict = judge(quotients[k], noise, [])
            if !verdict.passed && !verdict.inconclusive && TruncationRefinement.mightExplain(verdict, quotients[k]) {
                guard
                    let half = CentralQuotients.measure(
                        counts: [counts[k]], step: h / 2, f0: f0, stop: stop, cores: cores,
                        valueAt: { _, entry in function.coordinateValue(t, entry) },
                        makeEvaluator: {
                            let evaluate = make()
                            return { _, entries, delta in evaluate(t, entries, delta) }
                        })
                else { return nil }
                evaluations += 2 * counts[k]
                let (extrapolated, truncation) = TruncationRefinement.extrapolate(quotients[k], half[0], noise: noise)
                // R's rounding: 4/3 of c(h/2)'s (2 noise) and 1/3 of c(h)'s (see TruncationRefinement).
                verdict = judge(extrapolated, 3 * noise, truncation)
                verdict.extrapolatedFromStep = h
            }
            verdicts.append(verdict)
        }
        return (verdicts, evaluations)
    }
}
