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
        _ network: LayerNetwork, gradients: [String: [String: Tensor]]?, epsilon: Double, threshold: Double, stop: StopSignal,
        cores: Int = ProcessInfo.processInfo.activeProcessorCount
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
                objective, analytic: analytic, step: epsilon, threshold: threshold, stop: stop, cores: cores)
        else { throw .interrupted(stop.interruption ?? .cancelled) }
        let overall = LayerCheckReport.verdict(verdicts)
        let (rootCauses, propagated, notes) = diagnose(
            network, verdicts: verdicts, right: right, upstream: upstream, threshold: threshold)
        var allNotes = notes
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
        // What flows into the current layer's output: right (the loss's own gradient), wrong, or
        // unknown (the caller did not send the input gradient of the layer after it).
        var inflowWrong: Bool? = false
        let (inputs, _) = network.activations()
        for k in network.layers.indices.reversed() {
            let layer = network.layers[k]
            let names = layer.function.gradientInputs.map { "\(layer.name).\($0.gradient)" }
            let wrong = names.compactMap { byName[$0] }.filter { !$0.passed && !$0.inconclusive }
            if !wrong.isEmpty {
                if inflowWrong == true || (inflowWrong == nil && !rootCauses.isEmpty) {
                    propagated += wrong.map(\.name)
                } else {
                    let arguments = network.arguments(of: k, input: inputs[k])
                    for verdict in wrong {
                        let gradient = String(verdict.name.dropFirst(layer.name.count + 1))
                        guard var reference = right[layer.name]?[gradient] else { continue }
                        // The slips replay the layer's own backward, without the network's L2 term.
                        var adjusted = verdict
                        if let param = layer.function.gradientInputs.first(where: { $0.gradient == gradient })?.input,
                            LayerNetwork.regularised.contains(param), network.reg != 0
                        {
                            let l2 = network.reg * layer.params[param]!
                            reference = reference + (-1 * l2)
                            let limit = VerdictRule.limit(threshold: threshold, floor: verdict.floor)
                            if LayerDiagnosis.difference(verdict.analytic.values, reference.values) <= limit {
                                rootCauses.append(
                                    LayerRootCause(
                                        gradient: verdict.name, kind: .missingL2, factor: nil, entries: [],
                                        message:
                                            "\(verdict.name) lacks the L2 term reg * \(param) (the loss adds 0.5 * reg * sum(\(param)**2))")
                                )
                                continue
                            }
                            adjusted = verdict.removing(l2)
                        }
                        var cause = LayerDiagnosis.diagnose(
                            adjusted, gradient: gradient, layer: layer.function, inputs: arguments, upstream: upstream[k], right: reference,
                            threshold: threshold)
                        if inflowWrong == nil {
                            cause = cause.inferredUpstream(k + 1 < network.layers.count ? network.layers[k + 1].name : nil)
                        }
                        rootCauses.append(cause)
                    }
                }
            }
            // What flows into layer k - 1 is layer k's input gradient, when the caller sent it.
            if let data = layer.inputGradient, let verdict = byName["\(layer.name).\(data)"] {
                inflowWrong = !verdict.passed && !verdict.inconclusive
            } else if !wrong.isEmpty {
                inflowWrong = true
            } else {
                inflowWrong = inflowWrong == true ? true : nil
            }
        }
        if let first = rootCauses.first {
            notes.append("the first wrong step of the backward (from the loss) is in \(first.gradient)")
        }
        return (rootCauses, propagated, notes)
    }
}

extension GradientVerdict {
    /// The same verdict with `term` taken off the caller's gradient (the L2 term, which the
    /// layer's own slips do not replay).
    func removing(_ term: Tensor) -> GradientVerdict {
        GradientVerdict(
            name: name, analytic: analytic + (-1 * term), numeric: numeric + (-1 * term), difference: difference, relError: relError,
            floor: floor, passed: passed, inconclusive: inconclusive, band: band, kinks: kinks, tiedGroups: tiedGroups, worst: worst,
            wrongEntries: wrongEntries, wrongCount: wrongCount)
    }
}

extension LayerRootCause {
    /// The same cause, said to be inferred: the caller did not send the gradient flowing in.
    func inferredUpstream(_ next: String?) -> LayerRootCause {
        let unsent = next.map { " (or in \($0)'s input gradient, which was not sent)" } ?? ""
        return LayerRootCause(gradient: gradient, kind: kind, factor: factor, entries: entries, message: message + unsent)
    }
}
