/// deeplearning.ai's `lstm_cell_forward`/`lstm_cell_backward`: with concat = [a_prev; xt],
/// ft = sigmoid(Wf concat + bf), it = sigmoid(Wi concat + bi), cct = tanh(Wc concat + bc),
/// ot = sigmoid(Wo concat + bo), c_next = ft * c_prev + it * cct, a_next = ot * tanh(c_next);
/// xt (n_x, m), a_prev, c_prev (n_a, m), each W (n_a, n_a + n_x), each b (n_a, 1). Two outputs
/// a_next, c_next with upstream da_next, dc_next.
///
/// An adapter over CS231n's lstm_step (DLAIRecurrentLayout): the examples as rows, the four
/// weights packed as the column blocks i, f, o, g of Wx (over xt) and Wh (over a_prev); the
/// gradients transposed and unpacked back.
public struct DLAILSTMCellLayer: LayerFunction {
    public init() {}

    let step = LSTMStepLayer()

    public var inputNames: [String] { ["xt", "a_prev", "c_prev", "Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo"] }
    public var upstreamNames: [String] { ["da_next", "dc_next"] }
    public var gradientInputs: [(gradient: String, input: String)] {
        [
            ("dxt", "xt"), ("da_prev", "a_prev"), ("dc_prev", "c_prev"), ("dWf", "Wf"), ("dbf", "bf"), ("dWi", "Wi"), ("dbi", "bi"),
            ("dWc", "Wc"), ("dbc", "bc"), ("dWo", "Wo"), ("dbo", "bo"),
        ]
    }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        let xt = inputs["xt"]!
        let aPrev = inputs["a_prev"]!
        guard xt.rank == 2 else { throw LayerError("xt", "has shape \(xt.shapeDescription); expected (n_x, m)") }
        guard aPrev.rank == 2, aPrev.shape[1] == xt.shape[1] else {
            throw LayerError.shapes(
                "a_prev", aPrev.shape, expected: [aPrev.shape.first ?? 0, xt.shape[1]], because: "xt \(xt.shapeDescription)")
        }
        let (hidden, features) = (aPrev.shape[0], xt.shape[0])
        let reason = "xt \(xt.shapeDescription) and a_prev \(aPrev.shapeDescription)"
        try RecurrentShapes.expect(inputs, "c_prev", aPrev.shape, because: reason)
        try DLAIRecurrentLayout.checkGates(inputs, hidden: hidden, features: features, because: reason)
        return [aPrev.shape, aPrev.shape]
    }

    /// The arguments as lstm_step's.
    func cs231n(_ inputs: LayerInputs) -> LayerInputs {
        let (hidden, features) = (inputs["a_prev"]!.shape[0], inputs["xt"]!.shape[0])
        let (wx, wh, b) = DLAIRecurrentLayout.packedGates(inputs, hidden: hidden, features: features)
        return [
            "x": DLAIRecurrentLayout.transposed(inputs["xt"]!), "prev_h": DLAIRecurrentLayout.transposed(inputs["a_prev"]!),
            "prev_c": DLAIRecurrentLayout.transposed(inputs["c_prev"]!), "Wx": wx, "Wh": wh, "b": b,
        ]
    }

    /// lstm_step's gradients (any of them) by this layer's names and layouts.
    static func converted(_ gradients: [String: Tensor]) -> [String: Tensor] {
        var result = DLAIRecurrentLayout.unpackedGateGradients(gradients)
        let names = ["dx": "dxt", "dprev_h": "da_prev", "dprev_c": "dc_prev"]
        for (name, renamed) in names {
            if let tensor = gradients[name] { result[renamed] = DLAIRecurrentLayout.transposed(tensor) }
        }
        return result
    }

    func cs231nUpstream(_ upstream: [Tensor]) -> [Tensor] { upstream.map(DLAIRecurrentLayout.transposed) }

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        step.forward(cs231n(inputs)).map(DLAIRecurrentLayout.transposed)
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        Self.converted(step.backward(cs231n(inputs), upstream: cs231nUpstream(upstream)))
    }

    public func forwardOperations(_ inputs: LayerInputs) -> Double {
        let (xt, aPrev) = (inputs["xt"]!, inputs["a_prev"]!)
        return LSTMCore.operations(LSTMCore.Sizes(n: xt.shape[1], t: 1, d: xt.shape[0], h: aPrev.shape[0]))
    }

    public var slips: [LayerSlip] {
        let step = step
        return LSTMSlips(
            run: { inputs, upstream, variant in step.backward(cs231n(inputs), upstream: cs231nUpstream(upstream), variant: variant) },
            convert: { Self.converted($0) }, words: .dlai, dh: "dprev_h", dc: "dprev_c", steps: { _ in 1 }, batch: { $0["xt"]!.shape[1] }
        ).slips
    }
}

extension LSTMSlips.Words {
    /// deeplearning.ai's words: separate gate weights (no stacked da), examples as columns.
    static let dlai = LSTMSlips.Words(
        parameters: "dWf, dWi, dWc, dWo and dbf, dbi, dbc, dbo", upstreamAtT: "da[:, :, t]", batch: "m",
        gates: ["it", "ft", "ot", "cct"], stacked: false)
}
