/// The classic slips of a vanilla RNN backward, shared by `rnn_step` and `rnn` and, through
/// their adapters, deeplearning.ai's `rnn_cell` and `rnn`: each a replay of RNNCore's backward
/// written with the slip. Replays run in CS231n's names (dx, dprev_h or dh0, dWx, dWh, db);
/// `convert` turns those into the layer's own.
struct RNNSlips: Sendable {
    /// The words a message uses, in the layer's convention.
    struct Words: Sendable {
        /// "dWx, dWh and db".
        let parameters: String
        /// The upstream at step t ("dh[:, t]") and of the one step ("dnext_h").
        let upstreamAtT: String, upstream: String
        /// The pre-activation ("a = x Wx + prev_h Wh + b") and the state ("next_h").
        let preActivation: String, state: String
        /// The batch size ("N").
        let batch: String
        /// The recurrent weight's gradient ("dWh"), the previous state's ("dprev_h"), and the
        /// product that gives the latter ("da Wh^T", "Waa^T dz").
        let recurrentGradient: String, stateGradient: String, stateProduct: String

        static let cs231nStep = Words(
            parameters: "dWx, dWh and db", upstreamAtT: "dnext_h", upstream: "dnext_h", preActivation: "a = x Wx + prev_h Wh + b",
            state: "next_h", batch: "N", recurrentGradient: "dWh", stateGradient: "dprev_h", stateProduct: "da Wh^T")
        static let cs231nSequence = Words(
            parameters: "dWx, dWh and db", upstreamAtT: "dh[:, t]", upstream: "dh", preActivation: "a_t = x_t Wx + h_{t-1} Wh + b",
            state: "h_t", batch: "N", recurrentGradient: "dWh", stateGradient: "dh0 and the gradient carried to h_{t-1}",
            stateProduct: "da_t Wh^T")
    }

    /// The backward with a variant, in CS231n's names.
    let run: @Sendable (_ inputs: LayerInputs, _ upstream: [Tensor], _ variant: RNNCore.Variant) -> [String: Tensor]
    /// CS231n's gradients (any subset) in the layer's names.
    let convert: @Sendable (_ gradients: [String: Tensor]) -> [String: Tensor]
    let words: Words
    /// Whether the layer runs over time (the slips across steps apply).
    let sequence: Bool
    let steps: @Sendable (_ inputs: LayerInputs) -> Int
    let batch: @Sendable (_ inputs: LayerInputs) -> Int

    static let parameters = ["dWx", "dWh", "db"]

    var slips: [LayerSlip] {
        let w = words
        var slips: [LayerSlip] = []
        if sequence {
            slips.append(
                LayerSlip(
                    .upstreamNotAdded,
                    "\(w.upstreamAtT) is not added to the gradient carried back from step t + 1: only the last step's upstream enters"
                ) { [self] inputs, upstream in
                    guard steps(inputs) > 1 else { return nil }
                    return convert(run(inputs, upstream, RNNCore.Variant(upstream: .lastOnly)))
                })
            slips.append(
                LayerSlip(
                    .upstreamNotAdded, "the gradient carried back from step t + 1 is replaced by \(w.upstreamAtT) instead of added to it"
                ) {
                    [self] inputs, upstream in
                    guard steps(inputs) > 1 else { return nil }
                    return convert(run(inputs, upstream, RNNCore.Variant(upstream: .replaced)))
                })
            slips.append(
                LayerSlip(
                    .overwritten, "\(w.parameters) are assigned (=) instead of accumulated (+=) across time: they hold step 0's terms only"
                ) { [self] inputs, upstream in
                    guard steps(inputs) > 1 else { return nil }
                    return convert(run(inputs, upstream, RNNCore.Variant(overwritten: true)).filter { Self.parameters.contains($0.key) })
                })
        }
        slips.append(
            LayerSlip(
                .scaled, "\(w.parameters) carry an extra 1/\(w.batch): the backward does not average over the batch (the loss does)"
            ) { [self] inputs, upstream in
                guard batch(inputs) > 1 else { return nil }
                let scale = 1 / Double(batch(inputs))
                return convert(run(inputs, upstream, .right).filter { Self.parameters.contains($0.key) }.mapValues { scale * $0 })
            })
        slips.append(
            LayerSlip(.scaled, "every gradient carries an extra 1/\(w.batch): the upstream \(w.upstream) is averaged over the batch") {
                [self] inputs, upstream in
                guard batch(inputs) > 1 else { return nil }
                let scale = 1 / Double(batch(inputs))
                return convert(run(inputs, upstream, .right).mapValues { scale * $0 })
            })
        slips.append(
            LayerSlip(
                .wrongActivationDerivative,
                "tanh's derivative is taken from the pre-activation, 1 - a^2 with \(w.preActivation), instead of 1 - \(w.state)^2"
            ) { [self] inputs, upstream in
                convert(run(inputs, upstream, RNNCore.Variant(derivative: .fromPreActivation)))
            })
        slips.append(
            LayerSlip(
                .wrongActivationDerivative,
                "tanh's derivative is evaluated at the activation, 1 - tanh(\(w.state))^2 (tanh applied twice), instead of 1 - \(w.state)^2"
            ) { [self] inputs, upstream in
                convert(run(inputs, upstream, RNNCore.Variant(derivative: .ofActivation)))
            })
        slips.append(
            LayerSlip(
                .transposed,
                "\(w.recurrentGradient) is transposed: the product taken in the wrong order (the recurrent weight is square, so the shape fits)"
            ) { [self] inputs, upstream in
                convert(run(inputs, upstream, .right).filter { $0.key == "dWh" }.mapValues { $0.transposed([1, 0]) })
            })
        slips.append(
            LayerSlip(
                .transposed,
                "\(w.stateGradient) multiplies by the recurrent weight untransposed, where the right product is \(w.stateProduct)"
            ) { [self] inputs, upstream in
                let slipped = run(inputs, upstream, RNNCore.Variant(carryUntransposed: true))
                // Over one step only the state's own gradient changes; over more, everything
                // earlier steps feed.
                let changed = sequence && steps(inputs) > 1 ? slipped : slipped.filter { ["dprev_h", "dh0"].contains($0.key) }
                return convert(changed)
            })
        return slips
    }
}
