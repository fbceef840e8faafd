/// deeplearning.ai's `rnn_cell_forward`/`rnn_cell_backward`: a_next = tanh(Wax xt + Waa a_prev + ba)
/// with xt (n_x, m), a_prev (n_a, m), Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1); upstream
/// da_next, gradients dxt, da_prev, dWax, dWaa, dba.
///
/// An adapter over CS231n's rnn_step (DLAIRecurrentLayout): a_next^T = tanh(xt^T Wax^T +
/// a_prev^T Waa^T + ba^T) is rnn_step at x = xt^T, prev_h = a_prev^T, Wx = Wax^T, Wh = Waa^T,
/// so each gradient is the transpose of rnn_step's (dxt = dx^T, dWax = dWx^T, ...).
public struct DLAIRNNCellLayer: LayerFunction {
    public init() {}

    let step = RNNStepLayer()

    public var inputNames: [String] { ["xt", "a_prev", "Wax", "Waa", "ba"] }
    public var upstreamNames: [String] { ["da_next"] }
    public var gradientInputs: [(gradient: String, input: String)] {
        [("dxt", "xt"), ("da_prev", "a_prev"), ("dWax", "Wax"), ("dWaa", "Waa"), ("dba", "ba")]
    }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        let xt = inputs["xt"]!
        let wax = inputs["Wax"]!
        guard xt.rank == 2 else { throw LayerError("xt", "has shape \(xt.shapeDescription); expected (n_x, m)") }
        guard wax.rank == 2, wax.shape[1] == xt.shape[0] else {
            throw LayerError.shapes("Wax", wax.shape, expected: [wax.shape.first ?? 0, xt.shape[0]], because: "xt \(xt.shapeDescription)")
        }
        let (hidden, m) = (wax.shape[0], xt.shape[1])
        try RecurrentShapes.expect(inputs, "a_prev", [hidden, m], because: "xt \(xt.shapeDescription) and Wax \(wax.shapeDescription)")
        try RecurrentShapes.expect(inputs, "Waa", [hidden, hidden], because: "Wax \(wax.shapeDescription)")
        try RecurrentShapes.expect(inputs, "ba", [hidden, 1], because: "Wax \(wax.shapeDescription)")
        return [[hidden, m]]
    }

    /// The arguments as rnn_step's.
    func cs231n(_ inputs: LayerInputs) -> LayerInputs {
        [
            "x": DLAIRecurrentLayout.transposed(inputs["xt"]!), "prev_h": DLAIRecurrentLayout.transposed(inputs["a_prev"]!),
            "Wx": DLAIRecurrentLayout.transposed(inputs["Wax"]!), "Wh": DLAIRecurrentLayout.transposed(inputs["Waa"]!),
            "b": DLAIRecurrentLayout.flat(inputs["ba"]!),
        ]
    }

    /// rnn_step's gradients (any of them) by this layer's names and layouts.
    static func converted(_ gradients: [String: Tensor]) -> [String: Tensor] {
        let names = ["dx": "dxt", "dprev_h": "da_prev", "dWx": "dWax", "dWh": "dWaa"]
        var result: [String: Tensor] = [:]
        for (name, tensor) in gradients {
            if name == "db" {
                result["dba"] = DLAIRecurrentLayout.column(tensor)
            } else if let renamed = names[name] {
                result[renamed] = DLAIRecurrentLayout.transposed(tensor)
            }
        }
        return result
    }

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        [DLAIRecurrentLayout.transposed(step.forward(cs231n(inputs))[0])]
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        Self.converted(step.backward(cs231n(inputs), upstream: [DLAIRecurrentLayout.transposed(upstream[0])]))
    }

    public func forwardOperations(_ inputs: LayerInputs) -> Double {
        let (xt, wax) = (inputs["xt"]!, inputs["Wax"]!)
        return RNNCore.operations(RNNCore.Sizes(n: xt.shape[1], t: 1, d: xt.shape[0], h: wax.shape[0]))
    }

    public var slips: [LayerSlip] {
        let step = step
        return RNNSlips(
            run: { inputs, upstream, variant in
                step.backward(cs231n(inputs), upstream: [DLAIRecurrentLayout.transposed(upstream[0])], variant: variant)
            },
            convert: { Self.converted($0) },
            words: RNNSlips.Words(
                parameters: "dWax, dWaa and dba", upstreamAtT: "da_next", upstream: "da_next",
                preActivation: "z = Wax xt + Waa a_prev + ba", state: "a_next", batch: "m", recurrentGradient: "dWaa",
                stateGradient: "da_prev", stateProduct: "Waa^T dz"),
            sequence: false, steps: { _ in 1 }, batch: { $0["xt"]!.shape[1] }
        ).slips
    }
}
