/// deeplearning.ai's `rnn_forward`/`rnn_backward`: a (n_a, m, T_x) from x (n_x, m, T_x) and
/// a0 (n_a, m) by a_t = tanh(Wax x_t + Waa a_{t-1} + ba); upstream da (n_a, m, T_x), gradients
/// dx, da0, dWax, dWaa, dba.
///
/// An adapter over CS231n's rnn (DLAIRecurrentLayout): the sequence transposed to (m, T_x, n_x),
/// a0, Wax, Waa transposed, ba flattened; the gradients transposed back.
public struct DLAIRNNLayer: LayerFunction {
    public init() {}

    let sequence = RNNLayer()

    public var inputNames: [String] { ["x", "a0", "Wax", "Waa", "ba"] }
    public var upstreamNames: [String] { ["da"] }
    public var gradientInputs: [(gradient: String, input: String)] {
        [("dx", "x"), ("da0", "a0"), ("dWax", "Wax"), ("dWaa", "Waa"), ("dba", "ba")]
    }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        let x = inputs["x"]!
        let wax = inputs["Wax"]!
        guard x.rank == 3 else { throw LayerError("x", "has shape \(x.shapeDescription); expected (n_x, m, T_x)") }
        guard wax.rank == 2, wax.shape[1] == x.shape[0] else {
            throw LayerError.shapes("Wax", wax.shape, expected: [wax.shape.first ?? 0, x.shape[0]], because: "x \(x.shapeDescription)")
        }
        let (hidden, m) = (wax.shape[0], x.shape[1])
        try RecurrentShapes.expect(inputs, "a0", [hidden, m], because: "x \(x.shapeDescription) and Wax \(wax.shapeDescription)")
        try RecurrentShapes.expect(inputs, "Waa", [hidden, hidden], because: "Wax \(wax.shapeDescription)")
        try RecurrentShapes.expect(inputs, "ba", [hidden, 1], because: "Wax \(wax.shapeDescription)")
        return [[hidden, m, x.shape[2]]]
    }

    /// The arguments as CS231n's rnn's.
    func cs231n(_ inputs: LayerInputs) -> LayerInputs {
        [
            "x": DLAIRecurrentLayout.rowsFirst(inputs["x"]!), "h0": DLAIRecurrentLayout.transposed(inputs["a0"]!),
            "Wx": DLAIRecurrentLayout.transposed(inputs["Wax"]!), "Wh": DLAIRecurrentLayout.transposed(inputs["Waa"]!),
            "b": DLAIRecurrentLayout.flat(inputs["ba"]!),
        ]
    }

    /// rnn's gradients (any of them) by this layer's names and layouts.
    static func converted(_ gradients: [String: Tensor]) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (name, tensor) in gradients {
            switch name {
            case "dx": result["dx"] = DLAIRecurrentLayout.columnsFirst(tensor)
            case "dh0": result["da0"] = DLAIRecurrentLayout.transposed(tensor)
            case "dWx": result["dWax"] = DLAIRecurrentLayout.transposed(tensor)
            case "dWh": result["dWaa"] = DLAIRecurrentLayout.transposed(tensor)
            case "db": result["dba"] = DLAIRecurrentLayout.column(tensor)
            default: break
            }
        }
        return result
    }

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        [DLAIRecurrentLayout.columnsFirst(sequence.forward(cs231n(inputs))[0])]
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        Self.converted(sequence.backward(cs231n(inputs), upstream: [DLAIRecurrentLayout.rowsFirst(upstream[0])]))
    }

    public func forwardOperations(_ inputs: LayerInputs) -> Double {
        let (x, wax) = (inputs["x"]!, inputs["Wax"]!)
        return RNNCore.operations(RNNCore.Sizes(n: x.shape[1], t: x.shape[2], d: x.shape[0], h: wax.shape[0]))
    }

    public var slips: [LayerSlip] {
        let sequence = sequence
        return RNNSlips(
            run: { inputs, upstream, variant in
                sequence.backward(cs231n(inputs), upstream: [DLAIRecurrentLayout.rowsFirst(upstream[0])], variant: variant)
            },
            convert: { Self.converted($0) },
            words: RNNSlips.Words(
                parameters: "dWax, dWaa and dba", upstreamAtT: "da[:, :, t]", upstream: "da",
                preActivation: "z_t = Wax x_t + Waa a_{t-1} + ba", state: "a_t", batch: "m", recurrentGradient: "dWaa",
                stateGradient: "da0 and the gradient carried to a_{t-1}", stateProduct: "Waa^T dz_t"),
            sequence: true, steps: { $0["x"]!.shape[2] }, batch: { $0["x"]!.shape[1] }
        ).slips
    }
}
