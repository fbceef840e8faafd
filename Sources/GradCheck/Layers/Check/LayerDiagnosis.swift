/// One gradient of a layer or network check that is wrong, and the slip that reproduces it.
public struct LayerRootCause: Sendable, Equatable {
    /// `dw`, or `conv1.dw` in a network.
    public let gradient: String
    public let kind: LayerSlipKind
    /// The constant, for `scaled` and `sign_flipped` (-1).
    public let factor: Double?
    /// The wrong entries, for `wrong_entries`.
    public let entries: [[Int]]
    /// One sentence a student understands, naming the gradient and the slip.
    public let message: String
}

/// Names the slip behind each wrong gradient: a layer's own slips first (each a replay of its
/// backward with the mistake, named only when the replay reproduces the caller's gradient to
/// within the verdict's limit and differs from the right one by more than that limit), then the
/// slips every gradient can make (a constant factor, the sign, zero, a transpose), then a few
/// wrong entries; otherwise `unexplained`. Never a guess: a pattern that does not reproduce the
/// numbers is not named.
public enum LayerDiagnosis {
    /// `right`: the service's own backward at the same point (by the layer's gradient names);
    /// `prefix`: how the layer's gradients are named in the answer (`conv1.` in a network).
    public static func diagnose(
        _ verdict: GradientVerdict, gradient: String, layer: any LayerFunction, inputs: LayerInputs, upstream: [Tensor],
        right: Tensor, threshold: Double
    ) -> LayerRootCause {
        let limit = VerdictRule.limit(threshold: threshold, floor: verdict.floor)
        let caller = verdict.analytic
        for slip in layer.slips {
            guard let replay = slip.replay(inputs, upstream)?[gradient], replay.shape == caller.shape else { continue }
            if difference(caller.values, replay.values) <= limit && difference(replay.values, right.values) > limit {
                return LayerRootCause(
                    gradient: verdict.name, kind: slip.kind, factor: nil, entries: [], message: named(slip.message, verdict.name, gradient))
            }
        }
        return generic(verdict, right: right, limit: limit)
    }

    /// A gradient that passed the notebook's threshold but is exactly one of the layer's slips
    /// (eps outside the square root moves batch norm's dx by about eps): said in a note, since the
    /// verdict follows the notebook's rule. "Exactly" compares two analytic computations, whose
    /// float64 rounding is far below the central differences' (`analyticTolerance`): the caller's
    /// gradient must match the slip's replay to that tolerance and be `separation` times further
    /// from the right gradient than from the replay.
    public static func slipWithinThreshold(
        _ verdict: GradientVerdict, gradient: String, layer: any LayerFunction, inputs: LayerInputs, upstream: [Tensor],
        right: Tensor
    ) -> String? {
        let caller = verdict.analytic
        let fromRight = difference(caller.values, right.values)
        guard fromRight > analyticTolerance else { return nil }
        for slip in layer.slips {
            guard let replay = slip.replay(inputs, upstream)?[gradient], replay.shape == caller.shape else { continue }
            let fromReplay = difference(caller.values, replay.values)
            if fromReplay <= analyticTolerance && fromRight > separation * fromReplay {
                return
                    "\(verdict.name) passes the threshold, but it is exactly a known slip (\(slip.kind.rawValue)), not rounding: \(slip.message)"
            }
        }
        return nil
    }

    /// Two float64 computations of the same gradient in different orders agree to about 1e-13
    /// in the notebook's difference; 1e-9 leaves room for long sums.
    static let analyticTolerance = 1e-9
    static let separation = 100.0

    /// A slip's sentence under the answer's name of the gradient: as it is in a layer check
    /// (it starts with the gradient's name), after the layer's name in a network
    /// ("conv1: dw is rotated ...").
    static func named(_ message: String, _ answerName: String, _ gradient: String) -> String {
        if answerName == gradient { return message.hasPrefix(gradient) ? message : "\(gradient): \(message)" }
        let layer = answerName.dropLast(gradient.count + 1)
        return "\(layer): \(message)"
    }

    /// The slips any tensor can make, judged against the right values.
    static func generic(_ verdict: GradientVerdict, right: Tensor, limit: Double) -> LayerRootCause {
        let a = verdict.analytic.values
        let n = right.values
        let name = verdict.name
        // Scaled sums (`ScaledSum`): the factor of gradients of 1e200 or 1e-200 is found too.
        var dot = ScaledSum()
        var squares = ScaledSum()
        for (x, y) in zip(a, n) {
            dot.add(x, times: y)
            squares.add(y, times: y)
        }
        let nn = squares.value(inUnitsOf: max(squares.scale, dot.scale))
        if a.allSatisfy({ $0 == 0 }) && nn > 0 {
            return LayerRootCause(
                gradient: name, kind: .zero, factor: nil, entries: [],
                message: "\(name) is all zeros: the backward never writes it (or writes it to a copy)")
        }
        if nn > 0 {
            let c = dot.value(inUnitsOf: max(squares.scale, dot.scale)) / nn
            // A factor of 1 is no slip: the gradient is right where the comparison says so.
            if abs(c - 1) > 1e-6, difference(a, n.map { c * $0 }) <= limit {
                if abs(c + 1) <= 1e-6 {
                    return LayerRootCause(
                        gradient: name, kind: .signFlipped, factor: -1, entries: [], message: "\(name) has the wrong sign everywhere")
                }
                let shown = Self.shown(c)
                return LayerRootCause(
                    gradient: name, kind: .scaled, factor: c, entries: [],
                    message: "\(name) is \(shown) times the right value: a constant factor (an extra or missing 1/N, 1/p, a stray 2)")
            }
        }
        let shape = right.shape
        if shape.count == 2 && shape[0] == shape[1] && shape[0] > 1 {
            let transposed = right.transposed([1, 0]).values
            if difference(a, transposed) <= limit {
                return LayerRootCause(
                    gradient: name, kind: .transposed, factor: nil, entries: [],
                    message: "\(name) is the transpose of the right value: a product in the wrong order")
            }
        }
        if verdict.wrongCount > 0 && verdict.wrongCount <= max(1, verdict.checked / 10) {
            let where_ = verdict.wrongEntries.prefix(5).map { "[" + $0.map(String.init).joined(separator: ", ") + "]" }
            return LayerRootCause(
                gradient: name, kind: .wrongEntries, factor: nil, entries: verdict.wrongEntries,
                message: "\(name) is right except at \(verdict.wrongCount) entr\(verdict.wrongCount == 1 ? "y" : "ies"): "
                    + where_.joined(separator: ", ") + (verdict.wrongCount > 5 ? ", ..." : ""))
        }
        return LayerRootCause(
            gradient: name, kind: .unexplained, factor: nil, entries: verdict.wrongEntries,
            message:
                "\(name) is wrong at \(verdict.wrongCount) of \(verdict.checked) entries, and no known slip of this layer reproduces it")
    }

    /// The notebook's difference of two equally long arrays (0 when both are zero).
    static func difference(_ a: [Double], _ b: [Double]) -> Double {
        // Scaled sums, as the verdict's (`LayerJudge.judge`): slips of gradients of 1e200 are
        // compared, not lost to squares that overflow.
        var d = ScaledSum()
        var na = ScaledSum()
        var nb = ScaledSum()
        for (x, y) in zip(a, b) {
            d.add(x - y, times: x - y)
            na.add(x, times: x)
            nb.add(y, times: y)
        }
        return LayerJudge.ratio(d.root, to: na.root, nb.root)
    }

    /// A factor as a student would say it: 2, 1/4 (1/k when k is whole), or 3 significant digits.
    static func shown(_ c: Double) -> String {
        // Whole numbers only where an Int holds them (a factor of 1e300 would trap the conversion).
        let rounded = c.rounded()
        if abs(c) < 1e15, abs(c - rounded) <= 1e-6 * abs(c) { return String(Int(rounded)) }
        let inverse = 1 / c
        if abs(inverse) < 1e15, abs(inverse - inverse.rounded()) <= 1e-6 * abs(inverse) { return "1/\(Int(inverse.rounded()))" }
        return c > 0 ? WorkEstimate.scientific(c) : "-" + WorkEstimate.scientific(-c)
    }
}
