/// The classic slips of an LSTM backward, shared by `lstm_step` and `lstm` and, through their
/// adapters, deeplearning.ai's `lstm_cell` and `lstm`: each a replay of LSTMCore's backward
/// written with the slip. Replays run in CS231n's names (dx, dprev_h or dh0, dprev_c, dWx, dWh,
/// db); `convert` turns those into the layer's own.
struct LSTMSlips: Sendable {
    /// The words a message uses, in the layer's convention.
    struct Words: Sendable {
        /// "dWx, dWh and db".
        let parameters: String
        /// The upstream at step t ("dh[:, t]"), the batch size ("N").
        let upstreamAtT: String, batch: String
        /// The gates' names at CS231n's positions i, f, o, g.
        let gates: [String]
        /// Whether the backward stacks the gates' gradients in one da (CS231n's Wx (D, 4H));
        /// deeplearning.ai's separate Wf, Wi, Wc, Wo have no stacking to get wrong.
        let stacked: Bool

        static let cs231n = Words(
            parameters: "dWx, dWh and db", upstreamAtT: "dh[:, t]", batch: "N", gates: ["i", "f", "o", "g"], stacked: true)
    }

    /// The backward with a variant, in CS231n's names.
    let run: @Sendable (_ inputs: LayerInputs, _ upstream: [Tensor], _ variant: LSTMCore.Variant) -> [String: Tensor]
    /// CS231n's gradients (any subset) in the layer's names.
    let convert: @Sendable (_ gradients: [String: Tensor]) -> [String: Tensor]
    let words: Words
    /// CS231n's name of the previous state's gradient (dprev_h, dh0) and of the previous cell's
    /// (dprev_c; nil for the sequence, whose c0 = 0 is no argument).
    let dh: String, dc: String?
    /// The number of steps and the batch size N of a call.
    let steps: @Sendable (_ inputs: LayerInputs) -> Int
    let batch: @Sendable (_ inputs: LayerInputs) -> Int

    static let parameters = ["dWx", "dWh", "db"]

    private func only(_ gradients: [String: Tensor], _ names: [String]) -> [String: Tensor] {
        gradients.filter { names.contains($0.key) }
    }

    private var all: [String] { ["dx", dh] + (dc.map { [$0] } ?? []) + Self.parameters }
    private var withoutCell: [String] { ["dx", dh] + Self.parameters }

    /// A slip whose replay runs `variant` and keeps `names`; nil below `minimumSteps` steps.
    private func replay(
        _ kind: LayerSlipKind, _ message: String, _ variant: LSTMCore.Variant, keeping names: [String], minimumSteps: Int = 1
    ) -> LayerSlip {
        LayerSlip(kind, message) { [self] inputs, upstream in
            guard steps(inputs) >= minimumSteps else { return nil }
            return convert(only(run(inputs, upstream, variant), names))
        }
    }

    var slips: [LayerSlip] {
        let w = words
        var slips: [LayerSlip] = []
        let sequence = dc == nil
        if sequence {
            slips.append(
                replay(
                    .upstreamNotAdded,
                    "\(w.upstreamAtT) is not added to the gradient carried back from step t + 1: only the last step's upstream enters",
                    LSTMCore.Variant(upstream: .lastOnly), keeping: all, minimumSteps: 2))
            slips.append(
                replay(
                    .upstreamNotAdded,
                    "the gradient carried back to h_t from step t + 1 is replaced by \(w.upstreamAtT) instead of added to it",
                    LSTMCore.Variant(upstream: .replaced), keeping: all, minimumSteps: 2))
            slips.append(
                replay(
                    .overwritten, "\(w.parameters) are assigned (=) instead of accumulated (+=) across time: they hold step 0's terms only",
                    LSTMCore.Variant(overwritten: true), keeping: Self.parameters, minimumSteps: 2))
        }
        slips.append(
            replay(
                .missingPath,
                "dc misses the path through h = o * tanh(c): it is the carried cell gradient only, without dh * o * (1 - tanh(c)^2)",
                LSTMCore.Variant(missingOutputPath: true), keeping: all))
        let forget = "the cell gradient carried to the previous step misses the forget gate: it is dc instead of dc * \(w.gates[1])"
        slips.append(
            replay(
                .missingPath, forget, LSTMCore.Variant(missingForgetGate: true), keeping: sequence ? all : [dc!],
                minimumSteps: sequence ? 2 : 1))
        if sequence {
            slips.append(
                replay(
                    .missingPath,
                    "the cell gradient is not carried back across time: each step's dc starts from zero instead of dc * f of step t + 1",
                    LSTMCore.Variant(cellCarryDropped: true), keeping: all, minimumSteps: 2))
        }
        for order in LSTMCore.wrongOrders {
            let name = order.map { w.gates[$0] }.joined(separator: ", ")
            let right = w.gates.joined(separator: ", ")
            if w.stacked {
                slips.append(
                    replay(
                        .gateOrder,
                        "da stacks the gates as \(name) where the forward's slices are \(right): every gradient computed from da is off",
                        LSTMCore.Variant(stackedOrder: order), keeping: sequence ? all : withoutCell))
            }
            let message =
                w.stacked
                ? "\(w.parameters) are assembled with the gates' slices in the order \(name) instead of \(right)"
                : "the gates' weight and bias gradients are assigned to the wrong gates: those of \(right) hold the gradients of \(name)"
            slips.append(
                LayerSlip(.gateOrder, message) { [self] inputs, upstream in
                    let right = run(inputs, upstream, .right)
                    return convert(
                        only(right, Self.parameters).mapValues { tensor in
                            let hidden = tensor.shape.last! / 4
                            let rows = tensor.count / (4 * hidden)
                            let values = LSTMCore.reorderedGates(tensor.values, rows: rows, hidden: hidden, order: order)
                            return Tensor(shape: tensor.shape, values: values)
                        })
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
                "every gate's derivative is sigmoid'(s) (tanh'(\(w.gates[3]))) of the gate's value, activated twice, instead of s(1 - s) (1 - \(w.gates[3])^2)",
                LSTMCore.Variant(gateDerivatives: Array(repeating: .ofActivation, count: 4)), keeping: sequence ? all : withoutCell))
        for gate in 0..<4 {
            var derivatives = Array(repeating: LSTMCore.GateDerivative.right, count: 4)
            derivatives[gate] = .fromPreActivation
            let name = w.gates[gate]
            let message =
                gate < 3
                ? "gate \(name)'s sigmoid derivative is taken from its pre-activation a, a(1 - a), instead of \(name)(1 - \(name))"
                : "gate \(name)'s tanh derivative is taken from its pre-activation a, 1 - a^2, instead of 1 - \(name)^2"
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
            LayerSlip(.scaled, "\(w.parameters) carry an extra 1/\(w.batch): the backward does not average over the batch (the loss does)")
            {
                [self] inputs, upstream in
                guard batch(inputs) > 1 else { return nil }
                let n = Double(batch(inputs))
                return convert(only(run(inputs, upstream, .right), Self.parameters).mapValues { (1 / n) * $0 })
            })
        return slips
    }
}
