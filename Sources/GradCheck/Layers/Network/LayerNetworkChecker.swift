import Dispatch
import Foundation

/// Checks a network's backward, gradient by gradient (`conv1.dw`, `fc.db`, and each layer's input
/// gradient the caller sent, `pool1.dx`), and says which layer's backward is the first wrong one.
///
/// The backward runs from the loss to the first layer, so a layer's gradients are computed from
/// the gradient flowing into its output: the input gradient of the layer after it. Walking the
/// layers in that order, a wrong gradient of layer k is a root cause when what flows into layer k
/// is right (the caller's input gradient of layer k + 1 passed, or k is the last layer); it is
/// `propagated` when what flows in is wrong. When the caller did not send that input gradient the
/// cause is inferred: it is in layer k, or in an input gradient they did not send.
public enum LayerNetworkChecker {
    public static func check(
        _ network: LayerNetwork, gradients: [String: [String: Tensor]]?, epsilon: Double, threshold: Double,
        precision: Precision = .float64, stop: StopSignal, cores: Int = ProcessInfo.processInfo.activeProcessorCount
    ) throws(GradientChecker.CheckFailure) -> LayerCheckReport {
        let started = DispatchTime.now().uptimeNanoseconds
        let (right, upstream) = network.backward()
        let sent = gradients ?? right.mapValues { layer in layer }
        var analytic: [String: Tensor] = [:]
        var checkedInputs: Set<Int> = []
        for (k, layer) in network.layers.enumerated() {
            let own = sent[layer.name] ?? [:]
            for param in layer.checkedParams {
                let g = layer.function.gradientName(of: param)!
                if let tensor = own[g] { analytic["\(layer.name).\(g)"] = tensor }
            }
            // The service's own backward checks parameters only; a caller's input gradient is an
            // intermediate, checked when sent.
            if gradients != nil, let data = layer.inputGradient, let tensor = own[data] {
                analytic["\(layer.name).\(data)"] = tensor
                checkedInputs.insert(k)
            }
        }
        for (name, tensor) in analytic.sorted(by: { $0.key < $1.key }) {
            if let bad = tensor.values.firstIndex(where: { !$0.isFinite }) {
                throw .nonFinite("the gradient \(name) is not finite at \(tensor.index(ofFlat: bad))")
            }
        }
        let objective = NetworkObjective(network: network, checkedInputs: checkedInputs)
        guard objective.value().f.isFinite else { throw .nonFinite("the loss is not finite at these parameters") }
        guard
            let (verdicts, evaluations) = NumericalCheck.run(
                objective, analytic: analytic, step: epsilon, threshold: threshold, precision: precision, stop: stop, cores: cores)
        else { throw .interrupted(stop.interruption ?? .cancelled) }
        let overall = LayerCheckReport.verdict(verdicts)
        let (rootCauses, propagated, notes) = diagnose(
            network, verdicts: verdicts, right: right, upstream: upstream, threshold: threshold)
        var allNotes = notes + verdicts.flatMap(\.notes)
        let unsent = network.layers.flatMap { layer in
            layer.checkedParams.map { "\(layer.name).\(layer.function.gradientName(of: $0)!)" }
        }.filter { analytic[$0] == nil }
        if !unsent.isEmpty { allNotes.insert("not sent, so not checked: \(unsent.joined(separator: ", "))", at: 0) }
        return LayerCheckReport(
            difference: overall.difference, passed: overall.passed, inconclusive: overall.inconclusive, message: overall.message,
            epsilon: epsilon, threshold: threshold, gradients: verdicts,
            failed: verdicts.filter { !$0.passed && !$0.inconclusive }.map(\.name),
            rootCauses: rootCauses, propagated: propagated, notes: allNotes, costEvaluations: evaluations,
            seconds: GradientChecker.secondsSince(started), drawnUpstreamSeed: nil)
    }

    /// Walks the layers from the loss back to the first: see the type's comment.
    static func diagnose(
        _ network: LayerNetwork, verdicts: [GradientVerdict], right: [String: [String: Tensor]], upstream: [[Tensor]],
        threshold: Double
    ) -> (rootCauses: [LayerRootCause], propagated: [String], notes: [String]) {
        let byName = Dictionary(uniqueKeysWithValues: verdicts.map { ($0.name, $0) })
        var rootCauses: [LayerRootCause] = []
        var propagated: [String] = []
        var notes: [String] = []
        // What flows into the current layer's output: right (the loss's own gradient, or an input
        // gradient the caller sent that passed), wrong (one that failed), or unknown (not sent,
        // below a layer with wrong gradients). `assumed`: an input gradient on the way was not
        // sent, so "right" is inferred from the layers above having no wrong gradient.
        enum Inflow { case right, wrong, unknown }
        var inflow = Inflow.right
        var assumed = false
        let (inputs, _) = network.activations()
        for k in network.layers.indices.reversed() {
            let layer = network.layers[k]
            let names = layer.function.gradientInputs.map { "\(layer.name).\($0.gradient)" }
            let wrong = names.compactMap { byName[$0] }.filter { !$0.passed && !$0.inconclusive }
            let next = k + 1 < network.layers.count ? network.layers[k + 1].name : nil
            for verdict in wrong {
                if inflow == .wrong {
                    propagated.append(verdict.name)
                    continue
                }
                let cause = cause(
                    of: verdict, in: k, network: network, input: inputs[k], right: right, upstream: upstream[k], threshold: threshold)
                // Below a layer whose input gradient was not sent, a wrong gradient is a mistake of
                // its own only when one of its layer's slips (or a plain constant) reproduces it.
                if inflow == .unknown && !rootCauses.isEmpty && !cause.isRecognised {
                    propagated.append(verdict.name)
                } else {
                    rootCauses.append(assumed || inflow == .unknown ? cause.inferredUpstream(next) : cause)
                }
            }
            // What flows into layer k - 1 is layer k's input gradient.
            if let data = layer.inputGradient, let verdict = byName["\(layer.name).\(data)"] {
                inflow = !verdict.passed && !verdict.inconclusive ? .wrong : .right
                assumed = false
            } else if !wrong.isEmpty {
                inflow = .unknown
            } else {
                assumed = true
            }
        }
        if let first = rootCauses.first {
            notes.append("the first wrong step of the backward (from the loss) is in \(first.gradient)")
        }
        return (rootCauses, propagated, notes)
    }
}

extension LayerNetworkChecker {
    /// The slip behind a wrong gradient of layer k, replayed at the layer's own inputs and the
    /// right upstream. The L2 term is the network's, not the layer's: a dw without it is
    /// `missing_l2`; otherwise the layer's slips are replayed without it, and a constant factor
    /// over the whole gradient (L2 term included) is tried when no slip reproduces it.
    static func cause(
        of verdict: GradientVerdict, in k: Int, network: LayerNetwork, input: Tensor, right: [String: [String: Tensor]],
        upstream: [Tensor], threshold: Double
    ) -> LayerRootCause {
        let layer = network.layers[k]
        let gradient = String(verdict.name.dropFirst(layer.name.count + 1))
        let arguments = network.arguments(of: k, input: input)
        let full = right[layer.name]?[gradient] ?? verdict.numeric
        let limit = VerdictRule.limit(threshold: threshold, floor: verdict.floor)
        guard let param = layer.function.gradientInputs.first(where: { $0.gradient == gradient })?.input,
            LayerNetwork.regularised.contains(param), network.reg != 0
        else {
            return LayerDiagnosis.diagnose(
                verdict, gradient: gradient, layer: layer.function, inputs: arguments, upstream: upstream, right: full, threshold: threshold
            )
        }
        let l2 = network.reg * layer.params[param]!
        let own = full + (-1 * l2)
        if LayerDiagnosis.difference(verdict.analytic.values, own.values) <= limit {
            return LayerRootCause(
                gradient: verdict.name, kind: .missingL2, factor: nil, entries: [],
                message: "\(verdict.name) lacks the L2 term reg * \(param) (the loss adds 0.5 * reg * sum(\(param)**2))")
        }
        let replayed = LayerDiagnosis.diagnose(
            verdict.removing(l2), gradient: gradient, layer: layer.function, inputs: arguments, upstream: upstream, right: own,
            threshold: threshold)
        if replayed.isRecognised { return replayed }
        let whole = LayerDiagnosis.generic(verdict, right: full, limit: limit)
        return whole.isRecognised ? whole : replayed
    }
}

extension LayerRootCause {
    /// A slip or a plain pattern reproduced the numbers (not just "wrong here and there").
    var isRecognised: Bool { kind != .unexplained && kind != .wrongEntries }
}

extension GradientVerdict {
    /// The same verdict with `term` taken off the caller's gradient (the L2 term, which the
    /// layer's own slips do not replay).
    func removing(_ term: Tensor) -> GradientVerdict {
        GradientVerdict(
            name: name, analytic: analytic + (-1 * term), numeric: numeric + (-1 * term), difference: difference, relError: relError,
            floor: floor, passed: passed, inconclusive: inconclusive, band: band, kinks: kinks, tiedGroups: tiedGroups, worst: worst,
            wrongEntries: wrongEntries, wrongCount: wrongCount, zeroWithinRounding: zeroWithinRounding, truncation: truncation,
            extrapolatedFromStep: extrapolatedFromStep)
    }
}

extension LayerRootCause {
    /// The same cause, said to be inferred: the caller did not send the gradient flowing in.
    func inferredUpstream(_ next: String?) -> LayerRootCause {
        let unsent = next.map { " (or in \($0)'s input gradient, which was not sent)" } ?? ""
        return LayerRootCause(gradient: gradient, kind: kind, factor: factor, entries: entries, message: message + unsent)
    }
}
