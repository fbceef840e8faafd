/// deeplearning.ai's `lstm_forward`/`lstm_backward`: a (n_a, m, T_x) from x (n_x, m, T_x),
/// a0 (n_a, m) and c0 = 0, the gates' weights Wf, Wi, Wc, Wo (n_a, n_a + n_x) over [a_prev; xt]
/// and biases (n_a, 1); upstream da (n_a, m, T_x); gradients dx, da0 and the gates'.
///
/// An adapter over CS231n's lstm (DLAIRecurrentLayout): the sequence transposed to
/// (m, T_x, n_x), the weights packed as Wx, Wh, b; the gradients transposed and unpacked back.
public struct DLAILSTMLayer: LayerFunction {
    public init() {}

    let sequence = LSTMLayer()

    public var inputNames: [String] { ["x", "a0", "Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo"] }
    public var upstreamNames: [String] { ["da"] }
    public var gradientInputs: [(gradient: String, input: String)] {
        [
            ("dx", "x"), ("da0", "a0"), ("dWf", "Wf"), ("dbf", "bf"), ("dWi", "Wi"), ("dbi", "bi"), ("dWc", "Wc"), ("dbc", "bc"),
            ("dWo", "Wo"), ("dbo", "bo"),
        ]
    }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        let x = inputs["x"]!
        let a0 = inputs["a0"]!
        guard x.rank == 3 else { throw LayerError("x", "has shape \(x.shapeDescription); expected (n_x, m, T_x)") }
        guard a0.rank == 2, a0.shape[1] == x.shape[1] else {
            throw LayerError.shapes("a0", a0.shape, expected: [a0.shape.first ?? 0, x.shape[1]], because: "x \(x.shapeDescription)")
        }
        let (hidden, features) = (a0.shape[0], x.shape[0])
        try DLAIRecurrentLayout.checkGates(
            inputs, hidden: hidden, features: features, because: "x \(x.shapeDescription) and a0 \(a0.shapeDescription)")
        return [[hidden, x.shape[1], x.shape[2]]]
    }

    /// The arguments as CS231n's lstm's.
    func cs231n(_ inputs: LayerInputs) -> LayerInputs {
        let (hidden, features) = (inputs["a0"]!.shape[0], inputs["x"]!.shape[0])
        let (wx, wh, b) = DLAIRecurrentLayout.packedGates(inputs, hidden: hidden, features: features)
        return [
            "x": DLAIRecurrentLayout.rowsFirst(inputs["x"]!), "h0": DLAIRecurrentLayout.transposed(inputs["a0"]!), "Wx": wx, "Wh": wh,
            "b": b,
        ]
    }

    /// lstm's gradients (any of them) by this layer's names and layouts.
    static func converted(_ gradients: [String: Tensor]) -> [String: Tensor] {
        var result = DLAIRecurrentLayout.unpackedGateGradients(gradients)
        if let dx = gradients["dx"] { result["dx"] = DLAIRecurrentLayout.columnsFirst(dx) }
        if let dh0 = gradients["dh0"] { result["da0"] = DLAIRecurrentLayout.transposed(dh0) }
        return result
    }

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        [DLAIRecurrentLayout.columnsFirst(sequence.forward(cs231n(inputs))[0])]
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        Self.converted(sequence.backward(cs231n(inputs), upstream: [DLAIRecurrentLayout.rowsFirst(upstream[0])]))
    }

    public func forwardOperations(_ inputs: LayerInputs) -> Double {
        let (x, a0) = (inputs["x"]!, inputs["a0"]!)
        return LSTMCore.operations(LSTMCore.Sizes(n: x.shape[1], t: x.shape[2], d: x.shape[0], h: a0.shape[0]))
    }

    public var slips: [LayerSlip] {
        let sequence = sequence
        return LSTMSlips(
            run: { inputs, upstream, variant in
                sequence.backward(cs231n(inputs), upstream: [DLAIRecurrentLayout.rowsFirst(upstream[0])], variant: variant)
            },
            convert: { Self.converted($0) }, words: .dlai, dh: "dh0", dc: nil, steps: { $0["x"]!.shape[2] }, batch: { $0["x"]!.shape[1] }
        ).slips
    }
}
