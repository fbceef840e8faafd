import Dispatch
import Foundation

/// Checks one layer function's backward (the caller's gradients, or this module's own) against
/// central differences of `sum(upstream * layer(inputs))`, like CS231n's notebooks do with
/// `eval_numerical_gradient_array`, and names the slip behind each wrong gradient.
public enum LayerChecker {
    /// The upstream a check uses when the caller sent none: a seeded standard normal per output,
    /// never all ones (an all-ones upstream makes batch norm's dx exactly zero and hides slips).
    public static func drawnUpstream(shapes: [[Int]], seed: UInt64) -> [Tensor] {
        var generator = SplitMix64(seed: seed)
        return shapes.map { shape in
            Tensor(shape: shape, values: (0..<Tensor.count(of: shape)).map { _ in generator.nextGaussian() })
        }
    }

    /// Refuses a caller's gradient the layer does not return (listing those it does) or one of
    /// the wrong shape (naming both shapes, and the slip that gives exactly that shape, if one
    /// of the layer's does). `prefix` is where the gradients sit in the request (`gradients.`).
    public static func validate(
        _ gradients: [String: Tensor], layer: any LayerFunction, type: String, inputs: LayerInputs, upstream: [Tensor],
        prefix: String
    ) throws(LayerError) {
        let names = layer.gradientInputs.map(\.gradient)
        for name in gradients.keys.sorted() {
            guard let input = layer.gradientInputs.first(where: { $0.gradient == name })?.input else {
                throw LayerError(prefix + name, "\(type)'s backward returns no \"\(name)\"; it returns \(names.joined(separator: ", "))")
            }
            let shape = inputs[input]!.shape
            let sent = gradients[name]!.shape
            guard sent == shape else {
                var message =
                    "has shape \(Tensor.describe(sent)) but \(input) has shape \(Tensor.describe(shape)); \(name) must have \(input)'s shape"
                for slip in layer.slips {
                    if let replay = slip.replay(inputs, upstream)?[name], replay.shape == sent {
                        message += ". That shape is what this slip gives: \(slip.message)"
                        break
                    }
                }
                throw LayerError(prefix + name, message)
            }
        }
    }

    /// The check. `gradients` nil: the layer's own backward is checked (a self-test of the
    /// service); otherwise only the gradients sent are checked, and the answer says which were not.
    public static func check(
        layer: any LayerFunction, inputs: LayerInputs, upstream: [Tensor], gradients: [String: Tensor]?,
        epsilon: Double, threshold: Double, precision: Precision = .float64, stop: StopSignal,
        cores: Int = ProcessInfo.processInfo.activeProcessorCount
    ) throws(GradientChecker.CheckFailure) -> LayerCheckReport {
        let started = DispatchTime.now().uptimeNanoseconds
        let right = layer.backward(inputs, upstream: upstream)
        let analytic = gradients ?? right
        for (name, tensor) in analytic.sorted(by: { $0.key < $1.key }) {
            if let bad = tensor.values.firstIndex(where: { !$0.isFinite }) {
                throw .nonFinite("the gradient \(name) is not finite at \(tensor.index(ofFlat: bad))")
            }
        }
        let objective = LayerObjective(layer: layer, inputs: inputs, upstream: upstream)
        guard objective.value().f.isFinite else {
            throw .nonFinite(
                layer.isLoss ? "the loss is not finite at these inputs" : "sum(upstream * output) is not finite at these inputs")
        }
        guard
            let (verdicts, evaluations) = NumericalCheck.run(
                objective, analytic: analytic, step: epsilon, threshold: threshold, precision: precision, stop: stop, cores: cores)
        else { throw .interrupted(stop.interruption ?? .cancelled) }
        let overall = LayerCheckReport.verdict(verdicts)
        var notes: [String] = []
        let unsent = layer.gradientInputs.map(\.gradient).filter { analytic[$0] == nil }
        if !unsent.isEmpty {
            notes.append("not sent, so not checked: \(unsent.joined(separator: ", "))")
        }
        notes += verdicts.flatMap(\.notes)
        notes += verdicts.filter { $0.passed && !$0.zeroWithinRounding }.compactMap {
            LayerDiagnosis.slipWithinThreshold(
                $0, gradient: $0.name, layer: layer, inputs: inputs, upstream: upstream, right: right[$0.name]!)
        }
        let rootCauses = verdicts.filter { !$0.passed && !$0.inconclusive }.map {
            LayerDiagnosis.diagnose(
                $0, gradient: $0.name, layer: layer, inputs: inputs, upstream: upstream, right: right[$0.name]!, threshold: threshold)
        }
        return LayerCheckReport(
            difference: overall.difference, passed: overall.passed, inconclusive: overall.inconclusive, message: overall.message,
            epsilon: epsilon, threshold: threshold, gradients: verdicts,
            failed: verdicts.filter { !$0.passed && !$0.inconclusive }.map(\.name),
            rootCauses: rootCauses, propagated: [], notes: notes, costEvaluations: evaluations,
            seconds: GradientChecker.secondsSince(started), drawnUpstreamSeed: nil)
    }
}
