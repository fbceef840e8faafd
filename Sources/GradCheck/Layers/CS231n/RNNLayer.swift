/// CS231n's `rnn_forward`/`rnn_backward`: h (N, T, H) from x (N, T, D) and h0 (N, H) by
/// h_t = tanh(x_t Wx + h_{t-1} Wh + b), Wx (D, H), Wh (H, H), b (H).
///
/// Derivation (RNNCore): the gradient at h_t is dh[:, t] plus the one carried back from step
/// t + 1; da_t = that * (1 - h_t^2); the carry is da_t Wh^T and dh0 the carry out of step 0;
/// dx[:, t] = da_t Wx^T; dWx, dWh, db sum x_t^T da_t, h_{t-1}^T da_t, da_t over every step.
public struct RNNLayer: LayerFunction {
    public init() {}

    public var inputNames: [String] { ["x", "h0", "Wx", "Wh", "b"] }
    public var upstreamNames: [String] { ["dh"] }
    public var gradientInputs: [(gradient: String, input: String)] {
        [("dx", "x"), ("dh0", "h0"), ("dWx", "Wx"), ("dWh", "Wh"), ("db", "b")]
    }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        let x = inputs["x"]!
        let wx = inputs["Wx"]!
        guard x.rank == 3 else { throw LayerError("x", "has shape \(x.shapeDescription); expected (N, T, D)") }
        guard wx.rank == 2, wx.shape[0] == x.shape[2] else {
            throw LayerError.shapes("Wx", wx.shape, expected: [x.shape[2], wx.shape.last ?? 0], because: "x \(x.shapeDescription)")
        }
        let (n, h) = (x.shape[0], wx.shape[1])
        try RecurrentShapes.expect(inputs, "h0", [n, h], because: "x \(x.shapeDescription) and Wx \(wx.shapeDescription)")
        try RecurrentShapes.expect(inputs, "Wh", [h, h], because: "Wx \(wx.shapeDescription)")
        try RecurrentShapes.expect(inputs, "b", [h], because: "Wx \(wx.shapeDescription)")
        return [[n, x.shape[1], h]]
    }

    func sizes(_ inputs: LayerInputs) -> RNNCore.Sizes {
        let x = inputs["x"]!
        return RNNCore.Sizes(n: x.shape[0], t: x.shape[1], d: x.shape[2], h: inputs["Wx"]!.shape[1])
    }

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        let s = sizes(inputs)
        let h = RNNCore.forward(
            x: inputs["x"]!.values, h0: inputs["h0"]!.values, wx: inputs["Wx"]!.values, wh: inputs["Wh"]!.values,
            b: inputs["b"]!.values, sizes: s
        ).h
        return [Tensor(shape: [s.n, s.t, s.h], values: h)]
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        backward(inputs, upstream: upstream, variant: .right)
    }

    func backward(_ inputs: LayerInputs, upstream: [Tensor], variant: RNNCore.Variant) -> [String: Tensor] {
        let s = sizes(inputs)
        let g = RNNCore.backward(
            x: inputs["x"]!.values, h0: inputs["h0"]!.values, wx: inputs["Wx"]!.values, wh: inputs["Wh"]!.values,
            b: inputs["b"]!.values, dh: upstream[0].values, sizes: s, variant: variant)
        return [
            "dx": Tensor(shape: [s.n, s.t, s.d], values: g.dx), "dh0": Tensor(shape: [s.n, s.h], values: g.dh0),
            "dWx": Tensor(shape: [s.d, s.h], values: g.dWx), "dWh": Tensor(shape: [s.h, s.h], values: g.dWh),
            "db": Tensor(shape: [s.h], values: g.db),
        ]
    }

    public func forwardOperations(_ inputs: LayerInputs) -> Double { RNNCore.operations(sizes(inputs)) }

    public var slips: [LayerSlip] {
        RNNSlips(
            run: { inputs, upstream, variant in backward(inputs, upstream: upstream, variant: variant) }, convert: { $0 },
            words: .cs231nSequence, sequence: true, steps: { $0["x"]!.shape[1] }, batch: { $0["x"]!.shape[0] }
        ).slips
    }
}
