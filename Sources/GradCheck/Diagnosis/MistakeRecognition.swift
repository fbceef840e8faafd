import Foundation

/// Names the mistake in one wrong step by replaying the step with each classic mistake applied
/// and keeping the first candidate that reproduces the caller's value to rounding.
struct MistakeRecognition {
    let replay: BackwardReplay

    /// Relative residual ||caller - candidate|| / max(||caller||, ||candidate||) under which a
    /// candidate explains the caller's values: far below any real mistake (those are O(1)), far
    /// above float64 rounding, and above float32 rounding too (about 1e-7).
    static let tolerance = 1e-6

    struct Finding {
        let kind: RootCause.Kind
        var factor: Double?
        var entries: [EntryIndex] = []
        /// What the step does wrong, completing "... the line that computes X ...".
        let explanation: String
    }

    static func explains(_ caller: Matrix, _ candidate: Matrix) -> Bool {
        guard caller.shape == candidate.shape else { return false }
        let scale = max(Norms.euclidean(caller.values), Norms.euclidean(candidate.values))
        if scale == 0 { return true }
        return Norms.euclideanDistance(caller.values, candidate.values) <= tolerance * scale
    }

    /// a . b / b . b: the factor that best scales `b` onto `a` (nil when b is zero), rounded to
    /// 12 significant digits so that a doubled gradient reports 2, not 1.9999999999999998.
    static func factor(_ a: Matrix, onto b: Matrix) -> Double? {
        var dot = 0.0
        var squares = 0.0
        for i in 0..<min(a.count, b.count) {
            dot += a.values[i] * b.values[i]
            squares += b.values[i] * b.values[i]
        }
        guard squares > 0, dot.isFinite else { return nil }
        let k = dot / squares
        guard k != 0, k.isFinite else { return k }
        let scale = Foundation.pow(10, 11 - Foundation.floor(Foundation.log10(abs(k))))
        return scale.isFinite && scale > 0 ? (k * scale).rounded() / scale : k
    }

    /// The mistake in the step that computed `name`, the caller's value `value` against what the
    /// step gives from its inputs (`expected`).
    func recognise(_ name: GradientName, value: Matrix, expected: Matrix) -> Finding {
        let m = replay.m
        if value.values.allSatisfy({ $0 == 0 }) && expected.values.contains(where: { $0 != 0 }) {
            return Finding(
                kind: .zero, explanation: "is all zero: the line that computes \(name) is missing, or its result is never stored")
        }
        if Self.explains(value, expected.scaled(by: -1)) {
            return Finding(
                kind: .signFlipped, factor: -1,
                explanation: "has its sign flipped: check the sign in the line that computes \(name) (A - Y, not Y - A; + where there is -)"
            )
        }
        if name.kind == .weight, let l2 = replay.l2Term(layer: name.layer) {
            let data = expected.subtracting(l2)
            if Self.explains(value, data) {
                return Finding(
                    kind: .missingL2,
                    explanation: "is missing the L2 term: the line that computes \(name) must add (lambd / m) * W\(name.layer)")
            }
            if let k = Self.factor(value.subtracting(data), onto: l2), ScaleFactor.differsFromOne(k),
                Self.explains(value, data.adding(l2.scaled(by: k)))
            {
                var finding = Finding(
                    kind: .l2Scaled,
                    explanation:
                        "has the L2 term \(Self.plain(k)) times too large: the line that computes \(name) must add (lambd / m) * W\(name.layer)\(Self.l2Hint(k, m: m))"
                )
                finding.factor = k
                return finding
            }
            // A factor on the data term alone (1/m forgotten there, the L2 term right).
            if let k = Self.factor(value.subtracting(l2), onto: data), ScaleFactor.differsFromOne(k),
                Self.explains(value, data.scaled(by: k).adding(l2))
            {
                var finding = Finding(
                    kind: .scaled, explanation: Self.scaledExplanation(name, k, m: m, part: " (its dZ A^T part; the L2 term is right)"))
                finding.factor = k
                return finding
            }
        }
        if name.kind == .bias, let l2 = replay.l2OnBias(layer: name.layer), Self.explains(value, expected.adding(l2)) {
            return Finding(
                kind: .l2OnBias,
                explanation: "carries the L2 term (lambd / m) * b\(name.layer): L2 regularisation applies to the weights only")
        }
        if let k = Self.factor(value, onto: expected), ScaleFactor.differsFromOne(k), Self.explains(value, expected.scaled(by: k)) {
            var finding = Finding(kind: .scaled, explanation: Self.scaledExplanation(name, k, m: m, part: ""))
            finding.factor = k
            return finding
        }
        if expected.rows == expected.cols, expected.rows > 1, Self.explains(value, expected.transposed()) {
            return Finding(
                kind: .transposed,
                explanation:
                    "is the transpose of the right value: check the order of the product and the transposes in the line that computes \(name)"
            )
        }
        // dA_{l-1} = W_l dZ_l, the transpose forgotten (possible only when W_l is square).
        if name.kind == .activation, name.layer < replay.depth, let input = replay.inputs(of: name).first {
            let w = replay.network.layers[name.layer].weights
            if w.rows == w.cols, w.rows > 1, Self.explains(value, w.multiplied(by: replay.used(input))) {
                return Finding(
                    kind: .transposed,
                    explanation:
                        "is W\(name.layer + 1) dZ\(name.layer + 1): the line that computes \(name) must use the transpose, W\(name.layer + 1)^T dZ\(name.layer + 1)"
                )
            }
        }
        // db_l = np.sum(dZ_l) / m (or np.mean(dZ_l)) without axis=1: one number, the sum or mean
        // over every entry, broadcast into every row.
        if name.kind == .bias, expected.rows > 1, let first = value.values.first, value.values.allSatisfy({ $0 == first }),
            expected.values.contains(where: { $0 != expected.values[0] })
        {
            // The sum of every entry of dZ_l in the caller's convention; np.sum or np.mean over
            // all of it, with or without the convention's 1/m, is that times one of these.
            let total = expected.values.reduce(0, +)
            let m = Double(replay.m)
            let units = Double(expected.rows)
            let factors = [1, m, 1 / m].flatMap { [$0, $0 / units] }
            if first != 0, total != 0, factors.contains(where: { abs(first - $0 * total) <= Self.tolerance * abs(first) }) {
                let dZ = "dZ\(name.layer)"
                return Finding(
                    kind: .wrongAxis,
                    explanation:
                        "has one number in every entry, as np.sum or np.mean over all of \(dZ) gives: the sum in the line that computes \(name) must run over the examples only, np.sum(\(dZ), axis=1, keepdims=True) / m"
                )
            }
        }
        if name.kind == .preActivation, name.layer == replay.depth,
            Self.explains(value, OutputDerivativeMistake.apply(to: expected, output: replay.activation(name.layer)))
        {
            return Finding(kind: .wrongActivationDerivative, explanation: OutputDerivativeMistake.explanation(layer: name.layer))
        }
        if name.kind == .preActivation, name.layer < replay.depth, let input = replay.inputs(of: name).first {
            let dA = replay.used(input)
            for candidate in ActivationDerivativeMistake.candidates(for: replay.network.activation)
            where Self.explains(
                value, candidate.apply(dA: dA, z: replay.pass.preActivations[name.layer - 1], a: replay.activation(name.layer)))
            {
                return Finding(
                    kind: .wrongActivationDerivative,
                    explanation:
                        "multiplies dA\(name.layer) by \(candidate.description(layer: name.layer)) instead of \(ActivationDerivativeMistake.right(replay.network.activation, layer: name.layer))"
                )
            }
        }
        for candidate in WrongLayerMistake.candidates(for: name, replay: replay) where Self.explains(value, candidate.value) {
            return Finding(kind: .wrongLayer, explanation: candidate.explanation)
        }
        // A few entries off and most right: an indexing slip. When most entries are off, that is
        // not "a few", whatever the tensor's size.
        let wrong = Self.wrongEntries(value, expected)
        if !wrong.isEmpty && wrong.count <= max(3, value.count / 5) && 2 * wrong.count <= value.count {
            var finding = Finding(
                kind: .wrongEntries,
                explanation:
                    "has \(wrong.count) wrong \(wrong.count == 1 ? "entry" : "entries") (\(wrong.prefix(5).map(\.description).joined(separator: ", "))\(wrong.count > 5 ? ", ..." : "")) and the rest right: look for an indexing slip in the line that computes \(name)"
            )
            finding.entries = Array(wrong.prefix(RootCause.listedEntries))
            return finding
        }
        return Finding(
            kind: .unexplained,
            explanation:
                "is wrong in a way none of the classic mistakes explains: recheck the line that computes \(name) against the formula")
    }

    /// Entries that differ by more than the tolerance, relative to the tensor's scale.
    static func wrongEntries(_ value: Matrix, _ expected: Matrix) -> [EntryIndex] {
        let scale = max(value.values.map(abs).max() ?? 0, expected.values.map(abs).max() ?? 0)
        guard scale > 0 else { return [] }
        return value.values.indices.filter { abs(value.values[$0] - expected.values[$0]) > tolerance * scale }
            .map { EntryIndex(row: $0 / value.cols, col: $0 % value.cols) }
    }

    static func scaledExplanation(_ name: GradientName, _ k: Double, m: Int, part: String) -> String {
        let md = Double(m)
        if m > 1 && abs(k - md) <= 1e-6 * md {
            return "is m = \(m) times the right value: the line that computes \(name)\(part) is missing the division by m (1/m)"
        }
        if m > 1 && abs(k - 1 / md) <= 1e-6 / md {
            return "is 1/m of the right value (m = \(m)): 1/m is applied twice in the line that computes \(name)\(part)"
        }
        return "is \(plain(k)) times the right value: the line that computes \(name)\(part) multiplies by \(plain(k))"
    }

    static func l2Hint(_ k: Double, m: Int) -> String {
        if abs(k - 0.5) <= 1e-6 { return " (it adds lambd / (2m) * W: the 1/2 of the cost's L2 term does not survive the derivative)" }
        if m > 1 && abs(k - Double(m)) <= 1e-6 * Double(m) { return " (it adds lambd * W: the 1/m is missing)" }
        return ""
    }

    /// A factor as people write it: 2, 0.5, -1, 4.25 (six significant digits at most).
    static func plain(_ x: Double) -> String {
        guard x.isFinite, x != 0 else { return "\(x)" }
        let digits = 6 - Int(Foundation.floor(Foundation.log10(abs(x)))) - 1
        let scale = Foundation.pow(10, Double(max(0, min(digits, 15))))
        let rounded = (x * scale).rounded() / scale
        var text = "\(rounded)"
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}

/// The ways dZ_l = dA_l * g'(Z_l) goes wrong in practice: the derivative taken at A instead of
/// Z, a formula written for A applied to Z, the ReLU mask forgotten or taken from dA, another
/// activation's derivative, leaky ReLU's 0.01 slope lost.
struct ActivationDerivativeMistake {
    let what: String
    /// The factor the mistaken line multiplies dA_l by, from Z_l, A_l and dA_l at one entry.
    let factor: (_ z: Double, _ a: Double, _ dA: Double) -> Double

    func apply(dA: Matrix, z: Matrix, a: Matrix) -> Matrix {
        Matrix(
            rows: dA.rows, cols: dA.cols,
            values: (0..<dA.count).map { dA.values[$0] * factor(z.values[$0], a.values[$0], dA.values[$0]) })
    }

    func description(layer l: Int) -> String { what.replacingOccurrences(of: "{l}", with: "\(l)") }

    static func right(_ g: Activation, layer l: Int) -> String {
        switch g {
        case .relu: "g'(Z\(l)) = (Z\(l) > 0)"
        case .leakyRelu: "g'(Z\(l)) = 1 where Z\(l) > 0, else 0.01"
        case .tanh: "g'(Z\(l)) = 1 - A\(l)^2"
        case .sigmoid: "g'(Z\(l)) = A\(l) (1 - A\(l))"
        }
    }

    static func candidates(for g: Activation) -> [ActivationDerivativeMistake] {
        var list: [ActivationDerivativeMistake] = []
        switch g {
        case .relu:
            list.append(.init(what: "1 (the ReLU mask (Z{l} > 0) is missing)") { _, _, _ in 1 })
            list.append(
                .init(what: "(dA{l} > 0) (the mask taken from dA{l} instead of Z{l}: np.maximum(0, dA{l}) is not ReLU's backward)") {
                    _, _, dA in dA > 0 ? 1 : 0
                })
        case .leakyRelu:
            list.append(.init(what: "ReLU's mask (Z{l} > 0): leaky ReLU's 0.01 slope for Z{l} <= 0 is lost") { z, _, _ in z > 0 ? 1 : 0 })
            list.append(.init(what: "1 (the leaky ReLU derivative is missing)") { _, _, _ in 1 })
            list.append(
                .init(what: "1 where dA{l} > 0, else 0.01 (the slope chosen by dA{l} instead of Z{l})") { _, _, dA in
                    dA > 0 ? 1 : Activation.leakySlope
                })
        case .tanh:
            list.append(.init(what: "1 - Z{l}^2 (the formula for A applied to Z)") { z, _, _ in 1 - z * z })
            list.append(.init(what: "tanh'(A{l}) (the derivative taken at A instead of Z)") { _, a, _ in Activation.tanh.derivative(a) })
            list.append(.init(what: "A{l} (1 - A{l}) (sigmoid's derivative)") { _, a, _ in a * (1 - a) })
            list.append(.init(what: "1 - A{l} (the square is missing)") { _, a, _ in 1 - a })
            list.append(.init(what: "1 (the activation's derivative is missing)") { _, _, _ in 1 })
        case .sigmoid:
            list.append(.init(what: "Z{l} (1 - Z{l}) (the formula for A applied to Z)") { z, _, _ in z * (1 - z) })
            list.append(
                .init(what: "sigma'(A{l}) (the derivative taken at A instead of Z)") { _, a, _ in Activation.sigmoid.derivative(a) })
            list.append(.init(what: "1 - A{l}^2 (tanh's derivative)") { _, a, _ in 1 - a * a })
            list.append(.init(what: "1 (the activation's derivative is missing)") { _, _, _ in 1 })
        }
        if g != .relu && g != .leakyRelu {
            list.append(.init(what: "ReLU's mask (Z{l} > 0)") { z, _, _ in z > 0 ? 1 : 0 })
        }
        list.append(.init(what: "A{l} = g(Z{l}) (the activation itself, not its derivative)") { _, a, _ in a })
        if g == .relu {
            list.append(.init(what: "1 - A{l}^2 (tanh's derivative)") { _, a, _ in 1 - a * a })
            list.append(.init(what: "A{l} (1 - A{l}) (sigmoid's derivative)") { _, a, _ in a * (1 - a) })
            list.append(.init(what: "leaky ReLU's derivative (0.01 for Z{l} <= 0)") { z, _, _ in z > 0 ? 1 : Activation.leakySlope })
        }
        return list
    }
}

/// dZ_L = A_L - Y multiplied once more by the output's derivative A_L (1 - A_L): the course
/// derives dZ_L = dL/dA_L * sigma'(Z_L), and with cross-entropy the 1 / (A_L (1 - A_L)) in
/// dL/dA_L cancels sigma'(Z_L); code that first writes dZ_L = A_L - Y and then applies the
/// derivative anyway counts it twice (softmax's diagonal A (1 - A) the same way).
enum OutputDerivativeMistake {
    static func apply(to right: Matrix, output a: Matrix) -> Matrix {
        Matrix(rows: right.rows, cols: right.cols, values: (0..<right.count).map { right.values[$0] * a.values[$0] * (1 - a.values[$0]) })
    }

    static func explanation(layer l: Int) -> String {
        "multiplies A\(l) - Y by the output's derivative A\(l) (1 - A\(l)) once more: with the cross-entropy loss, dZ\(l) = A\(l) - Y already includes it (it cancels the 1 / (A\(l) (1 - A\(l))) of dA\(l))"
    }
}
