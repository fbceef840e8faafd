/// The classic slips of an LSTM backward, shared by `lstm_step` and `lstm` (and, renamed, the
/// dlai cells): each a replay of LSTMCore's backward written with the slip.
struct LSTMSlips: Sendable {
    /// The backward with a variant, by the layer's gradient names.
    let run: @Sendable (_ inputs: LayerInputs, _ upstream: [Tensor], _ variant: LSTMCore.Variant) -> [String: Tensor]
    /// The gradient names: x's, the previous state's (dprev_h / dh0), the previous cell's
    /// (dprev_c; nil for the sequence, whose c0 = 0 is no argument).
    let dx: String, dh: String, dc: String?
    /// The number of steps and the batch size N of a call.
    let steps: @Sendable (_ inputs: LayerInputs) -> Int
    let batch: @Sendable (_ inputs: LayerInputs) -> Int

    static let parameters = ["dWx", "dWh", "db"]

    private func only(_ gradients: [String: Tensor], _ names: [String]) -> [String: Tensor] {
        gradients.filter { names.contains($0.key) }
    }

    private var all: [String] { [dx, dh] + (dc.map { [$0] } ?? []) + Self.parameters }
    private var withoutCell: [String] { [dx, dh] + Self.parameters }

    /// A slip whose replay runs `variant` and keeps `names`; nil below `minimumSteps` steps.
    private func replay(
        _ kind: LayerSlipKind, _ message: String, _ variant: LSTMCore.Variant, keeping names: [String], minimumSteps: Int = 1
    ) -> LayerSlip {
        LayerSlip(kind, message) { [self] inputs, upstream in
            guard steps(inputs) >= minimumSteps else { return nil }
            return only(run(inputs, upstream, variant), names)
        }
    }

    var slips: [LayerSlip] {
        var slips: [LayerSlip] = []
        let sequence = dc == nil
        if sequence {
            slips.append(
                replay(
                    .upstreamNotAdded,
                    "dh[:, t] is not added to the gradient carried back from step t + 1: only the last step's upstream enters",
                    LSTMCore.Variant(upstream: .lastOnly), keeping: all, minimumSteps: 2))
            slips.append(
                replay(
                    .upstreamNotAdded, "the gradient carried back to h_t from step t + 1 is replaced by dh[:, t] instead of added to it",
                    LSTMCore.Variant(upstream: .replaced), keeping: all, minimumSteps: 2))
            slips.append(
                replay(
                    .overwritten, "dWx, dWh and db are assigned (=) instead of accumulated (+=) across time: they hold step 0's terms only",
                    LSTMCore.Variant(overwritten: true), keeping: Self.parameters, minimumSteps: 2))
        }
        slips.append(
            replay(
                .missingPath,
                "dc misses the path through h = o * tanh(c): it is the carried cell gradient only, without dh * o * (1 - tanh(c)^2)",
                LSTMCore.Variant(missingOutputPath: true), keeping: all))
        let forget = "the cell gradient carried to the previous step misses the forget gate: dprev_c = dc instead of dc * f"
        slips.append(
            replay(
                .missingPath, forget, LSTMCore.Variant(missingForgetGate: true), keeping: sequence ? all : [dc!],
                minimumSteps: sequence ? 2 : 1))
        for (name, order) in LSTMCore.wrongOrders {
            slips.append(
                replay(
                    .gateOrder,
                    "da stacks the gates as \(name) where the forward's slices are i, f, o, g: every gradient computed from da is off",
                    LSTMCore.Variant(stackedOrder: order), keeping: sequence ? all : withoutCell))
            slips.append(
                LayerSlip(.gateOrder, "dWx, dWh and db are assembled with the gates' slices in the order \(name) instead of i, f, o, g") {
                    [self] inputs, upstream in
                    let right = run(inputs, upstream, .right)
                    return only(right, Self.parameters).mapValues { tensor in
                        let hidden = tensor.shape.last! / 4
                        let rows = tensor.count / (4 * hidden)
                        return Tensor(
                            shape: tensor.shape, values: LSTMCore.reorderedGates(tensor.values, rows: rows, hidden: hidden, order: order))
                    }
                })
        }
        slips.append(
            replay(
                .wrongActivationDerivative,
                "every gate's derivative is taken from its pre-activation a (a(1 - a), 1 - a^2) instead of from the gate's value",
                LSTMCore.Variant(gateDerivatives: Array(repeating: .fromPreActivation, count: 4)), keeping: sequence ? all : withoutCell))
        slips.append(
            replay(
                .wrongActivationDerivative,
                "every gate's derivative is sigmoid'(s) (tanh'(g)) of the gate's value, activated twice, instead of s(1 - s) (1 - g^2)",
                LSTMCore.Variant(gateDerivatives: Array(repeating: .ofActivation, count: 4)), keeping: sequence ? all : withoutCell))
        for (gate, name) in LSTMCore.gateNames.enumerated() {
            var derivatives = Array(repeating: LSTMCore.GateDerivative.right, count: 4)
            derivatives[gate] = .fromPreActivation
            let message =
                gate < 3
                ? "gate \(name)'s sigmoid derivative is taken from its pre-activation a, a(1 - a), instead of \(name)(1 - \(name))"
                : "gate g's tanh derivative is taken from its pre-activation a, 1 - a^2, instead of 1 - g^2"
            slips.append(
                replay(
                    .wrongActivationDerivative, message, LSTMCore.Variant(gateDerivatives: derivatives),
                    keeping: sequence ? all : withoutCell))
        }
        slips.append(
            replay(
                .wrongActivationDerivative, "tanh'(c) is taken as 1 - c^2 (from tanh's argument) instead of 1 - tanh(c)^2",
                LSTMCore.Variant(cellDerivativeFromArgument: true), keeping: all))
        slips.append(
            LayerSlip(.scaled, "dWx, dWh and db carry an extra 1/N: the backward does not average over the batch (the loss does)") {
                [self] inputs, upstream in
                let n = Double(batch(inputs))
                return only(run(inputs, upstream, .right), Self.parameters).mapValues { (1 / n) * $0 }
            })
        return slips
    }
}
