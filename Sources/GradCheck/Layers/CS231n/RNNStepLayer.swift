/// CS231n's `rnn_step_forward`/`rnn_step_backward`: next_h = tanh(x Wx + prev_h Wh + b) with
/// x (N, D), prev_h (N, H), Wx (D, H), Wh (H, H), b (H).
///
/// Derivation (RNNCore at T = 1): da = dnext_h * (1 - next_h^2); dx = da Wx^T;
/// dprev_h = da Wh^T; dWx = x^T da; dWh = prev_h^T da; db = sum_n da.
public struct RNNStepLayer: LayerFunction {
    public init() {}

    public var inputNames: [String] { ["x", "prev_h", "Wx", "Wh", "b"] }
    public var upstreamNames: [String] { ["dnext_h"] }
    public var gradientInputs: [(gradient: String, input: String)] {
        [("dx", "x"), ("dprev_h", "prev_h"), ("dWx", "Wx"), ("dWh", "Wh"), ("db", "b")]
    }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        let x = inputs["x"]!
        let wx = inputs["Wx"]!
        guard x.rank == 2 else { throw LayerError("x", "has shape \(x.shapeDescription); expected (N, D)") }
        guard wx.rank == 2, wx.shape[0] == x.shape[1] else {
            throw LayerError.shapes("Wx", wx.shape, expected: [x.shape[1], wx.shape.last ?? 0], because: "x \(x.shapeDescription)")
        }
        let (n, h) = (x.shape[0], wx.shape[1])
        try RecurrentShapes.expect(inputs, "prev_h", [n, h], because: "x \(x.shapeDescription) and Wx \(wx.shapeDescription)")
        try RecurrentShapes.expect(inputs, "Wh", [h, h], because: "Wx \(wx.shapeDescription)")
        try RecurrentShapes.expect(inputs, "b", [h], because: "Wx \(wx.shapeDescription)")
        return [[n, h]]
    }

    func sizes(_ inputs: LayerInputs) -> RNNCore.Sizes {
        let x = inputs["x"]!
        return RNNCore.Sizes(n: x.shape[0], t: 1, d: x.shape[1], h: inputs["Wx"]!.shape[1])
    }

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        let s = sizes(inputs)
        let h = RNNCore.forward(
            x: inputs["x"]!.values, h0: inputs["prev_h"]!.values, wx: inputs["Wx"]!.values, wh: inputs["Wh"]!.values,
            b: inputs["b"]!.values, sizes: s
        ).h
        return [Tensor(shape: [s.n, s.h], values: h)]
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        backward(inputs, upstream: upstream, variant: .right)
    }

    func backward(_ inputs: LayerInputs, upstream: [Tensor], variant: RNNCore.Variant) -> [String: Tensor] {
        let s = sizes(inputs)
        let g = RNNCore.backward(
            x: inputs["x"]!.values, h0: inputs["prev_h"]!.values, wx: inputs["Wx"]!.values, wh: inputs["Wh"]!.values,
            b: inputs["b"]!.values, dh: upstream[0].values, sizes: s, variant: variant)
        return [
            "dx": Tensor(shape: [s.n, s.d], values: g.dx), "dprev_h": Tensor(shape: [s.n, s.h], values: g.dh0),
            "dWx": Tensor(shape: [s.d, s.h], values: g.dWx), "dWh": Tensor(shape: [s.h, s.h], values: g.dWh),
            "db": Tensor(shape: [s.h], values: g.db),
        ]
    }

    public func forwardOperations(_ inputs: LayerInputs) -> Double { RNNCore.operations(sizes(inputs)) }

    public var slips: [LayerSlip] {
        RNNSlips(
            run: { inputs, upstream, variant in backward(inputs, upstream: upstream, variant: variant) }, convert: { $0 },
            words: .cs231nStep, sequence: false, steps: { _ in 1 }, batch: { $0["x"]!.shape[0] }
        ).slips
    }
}
