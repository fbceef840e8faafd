/// Walks the caller's backward pass in the order it was computed and separates the steps that are
/// wrong themselves (root causes) from the gradients that are wrong only because an input is.
///
/// A gradient the caller sent is right or wrong by its numerical check. One they did not send is
/// inferred: dZ_l is wrong when dW_l and db_l are both wrong (and, below layer 1, the layers under
/// it are wrong too: a wrong dZ_l reaches them through dA_{l-1}; with them right, dW_l and db_l
/// are two mistakes of their own), or when its input is wrong and dW_l or db_l is; an unsent
/// dA_{l-1} is wrong when dZ_l is. A wrong gradient whose inputs are all right is a root cause;
/// one whose inputs are wrong is propagated, unless the caller sent those inputs and the step,
/// replayed from them, does not reproduce it (a second mistake on top: a root cause too).
struct RootCauseAnalysis {
    let replay: BackwardReplay
    /// Whether each gradient the caller sent failed its numerical check.
    let failed: [GradientName: Bool]

    func diagnose() -> BackwardDiagnosis {
        var wrong: [GradientName: Bool] = [:]
        var roots: [RootCause] = []
        var propagated: [GradientName] = []
        let recognition = MistakeRecognition(replay: replay)

        for name in graph() {
            let sent = failed[name] != nil
            let inputs = replay.inputs(of: name)
            let inputWrong = inputs.contains { wrong[$0] == true }
            let isWrong: Bool
            if let status = failed[name] {
                isWrong = status
            } else if name.kind == .preActivation {
                let below = GradientName(layer: name.layer, kind: .weight)
                let bias = GradientName(layer: name.layer, kind: .bias)
                let bothWrong = failed[below] == true && failed[bias] == true
                let eitherWrong = failed[below] == true || failed[bias] == true
                isWrong = inputWrong ? eitherWrong : bothWrong && (name.layer == 1 || anyLayerWrong(below: name.layer))
            } else {
                isWrong = inputWrong
            }
            wrong[name] = isWrong
            guard isWrong else { continue }
            if !inputWrong {
                roots.append(sent ? root(name, recognition: recognition) : inferredRoot(name, recognition: recognition))
            } else if sent && inputs.allSatisfy({ failed[$0] != nil })
                && !MistakeRecognition.explains(replay.caller[name]!, replay.expected(name))
            {
                roots.append(root(name, recognition: recognition))
            } else if sent {
                propagated.append(name)
            }
        }
        return BackwardDiagnosis(convention: nil, rootCauses: roots, propagated: propagated)
    }

    /// Every gradient of the backward pass, in the order it is computed.
    private func graph() -> [GradientName] {
        var names: [GradientName] = []
        let depth = replay.depth
        let dAL = GradientName(layer: depth, kind: .activation)
        if failed[dAL] != nil { names.append(dAL) }
        for l in stride(from: depth, through: 1, by: -1) {
            names.append(GradientName(layer: l, kind: .preActivation))
            names.append(GradientName(layer: l, kind: .weight))
            names.append(GradientName(layer: l, kind: .bias))
            let dA = GradientName(layer: l - 1, kind: .activation)
            if l > 1 || failed[dA] != nil { names.append(dA) }
        }
        return names
    }

    private func anyLayerWrong(below l: Int) -> Bool {
        (1..<l).contains { k in
            failed[GradientName(layer: k, kind: .weight)] == true || failed[GradientName(layer: k, kind: .bias)] == true
        }
    }

    private func root(_ name: GradientName, recognition: MistakeRecognition) -> RootCause {
        let finding = recognition.recognise(name, value: replay.caller[name]!, expected: replay.expected(name))
        return RootCause(
            gradient: name, kind: finding.kind, factor: finding.factor, entries: finding.entries,
            message: "\(Self.rightInputs(name, replay: replay)) but \(name) \(finding.explanation)", inferred: false)
    }

    /// dZ_l was not sent, and dW_l and db_l are both wrong with everything above right: replay
    /// dW_l and db_l from each candidate mistake in dZ_l and keep one that reproduces both.
    private func inferredRoot(_ name: GradientName, recognition: MistakeRecognition) -> RootCause {
        let l = name.layer
        let dW = GradientName(layer: l, kind: .weight)
        let db = GradientName(layer: l, kind: .bias)
        let truth = replay.truth(name)
        func reproduces(_ candidate: Matrix) -> Bool {
            MistakeRecognition.explains(replay.caller[dW]!, replay.step(dW, from: candidate))
                && MistakeRecognition.explains(replay.caller[db]!, replay.step(db, from: candidate))
        }
        var kind = RootCause.Kind.unexplained
        var factor: Double?
        var explanation = "is wrong in a way none of the classic mistakes explains: recheck the line that computes \(name)"
        let truthBias = replay.truth(db)
        if let k = MistakeRecognition.factor(replay.caller[db]!, onto: truthBias), reproduces(truth.scaled(by: k)) {
            if k == 0 {
                kind = .zero
                explanation = "is all zero: the line that computes \(name) is missing, or its result is never stored"
            } else if abs(k + 1) <= 1e-6 {
                kind = .signFlipped
                factor = -1
                explanation = "has its sign flipped: check the sign in the line that computes \(name)"
            } else {
                kind = .scaled
                factor = k
                explanation = MistakeRecognition.scaledExplanation(name, k, m: replay.m, part: "")
            }
        } else if l == replay.depth, reproduces(OutputDerivativeMistake.apply(to: truth, output: replay.activation(l))) {
            kind = .wrongActivationDerivative
            explanation = OutputDerivativeMistake.explanation(layer: l)
        } else if l < replay.depth,
            let swap = WrongLayerMistake.derivativeAtOtherLayers(
                dA: replay.used(GradientName(layer: l, kind: .activation)), layer: l, replay: replay
            ).first(where: { reproduces($0.value) })
        {
            kind = .wrongLayer
            explanation = swap.explanation
        } else if l < replay.depth {
            let dA = replay.used(GradientName(layer: l, kind: .activation))
            for candidate in ActivationDerivativeMistake.candidates(for: replay.network.activation)
            where reproduces(candidate.apply(dA: dA, z: replay.pass.preActivations[l - 1], a: replay.activation(l))) {
                kind = .wrongActivationDerivative
                explanation =
                    "multiplies dA\(l) by \(candidate.description(layer: l)) instead of \(ActivationDerivativeMistake.right(replay.network.activation, layer: l))"
                break
            }
        }
        let below = l > 1 ? ", and every gradient below it inherits the mistake" : ""
        let message =
            "dW\(l) and db\(l) are both wrong while everything above layer \(l) is right: the mistake is in \(name), which \(explanation)\(below)"
        return RootCause(gradient: name, kind: kind, factor: factor, entries: [], message: message, inferred: true)
    }

    /// "dZ2 and A1 are right": what the step computing `name` reads, said as right.
    static func rightInputs(_ name: GradientName, replay: BackwardReplay) -> String {
        let l = name.layer
        let a = l - 1 == 0 ? "X" : "A\(l - 1)"
        switch name.kind {
        case .weight: return "dZ\(l) and \(a) are right"
        case .bias: return "dZ\(l) is right"
        case .activation where l == replay.depth: return "A\(l) and Y are right"
        case .activation: return "W\(l + 1) and dZ\(l + 1) are right"
        case .preActivation where l == replay.depth:
            return replay.caller[GradientName(layer: l, kind: .activation)] != nil ? "dA\(l) is right" : "A\(l) and Y are right"
        case .preActivation: return "dA\(l) and Z\(l) are right"
        }
    }
}
