/// CS231n's `lstm_forward`/`lstm_backward`: h (N, T, H) from x (N, T, D), h0 (N, H) and c0 = 0,
/// Wx (D, 4H), Wh (H, 4H), b (4H), gates i, f, o, g along 4H.
///
/// Derivation (LSTMCore): backwards over t, the gradient at h_t is dh[:, t] plus the carry from
/// step t + 1, the one at c_t the cell carry plus that times o * (1 - tanh(c_t)^2); each step is
/// lstm_step's backward, its dprev_h and dprev_c carried; dWx, dWh, db summed over the steps.
public struct LSTMLayer: LayerFunction {
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
        guard wx.rank == 2, wx.shape[0] == x.shape[2], wx.shape[1] % 4 == 0 else {
            throw LayerError.shapes(
                "Wx", wx.shape, expected: [x.shape[2], 4 * ((wx.shape.last ?? 0) / 4)],
                because: "x \(x.shapeDescription) (and the four gates along 4H)")
        }
        let (n, h) = (x.shape[0], wx.shape[1] / 4)
        try RecurrentShapes.expect(inputs, "h0", [n, h], because: "x \(x.shapeDescription) and Wx \(wx.shapeDescription)")
        try RecurrentShapes.expect(inputs, "Wh", [h, 4 * h], because: "Wx \(wx.shapeDescription)")
        try RecurrentShapes.expect(inputs, "b", [4 * h], because: "Wx \(wx.shapeDescription)")
        return [[n, x.shape[1], h]]
    }

    func sizes(_ inputs: LayerInputs) -> LSTMCore.Sizes {
        let x = inputs["x"]!
        return LSTMCore.Sizes(n: x.shape[0], t: x.shape[1], d: x.shape[2], h: inputs["Wx"]!.shape[1] / 4)
    }

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        let s = sizes(inputs)
        let result = LSTMCore.forward(
            x: inputs["x"]!.values, h0: inputs["h0"]!.values, c0: nil, wx: inputs["Wx"]!.values, wh: inputs["Wh"]!.values,
            b: inputs["b"]!.values, sizes: s)
        return [Tensor(shape: [s.n, s.t, s.h], values: result.h)]
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        backward(inputs, upstream: upstream, variant: .right)
    }

    func backward(_ inputs: LayerInputs, upstream: [Tensor], variant: LSTMCore.Variant) -> [String: Tensor] {
        let s = sizes(inputs)
        let g = LSTMCore.backward(
            x: inputs["x"]!.values, h0: inputs["h0"]!.values, c0: nil, wx: inputs["Wx"]!.values, wh: inputs["Wh"]!.values,
            b: inputs["b"]!.values, dh: upstream[0].values, dcLast: nil, sizes: s, variant: variant)
        return [
            "dx": Tensor(shape: [s.n, s.t, s.d], values: g.dx), "dh0": Tensor(shape: [s.n, s.h], values: g.dh0),
            "dWx": Tensor(shape: [s.d, 4 * s.h], values: g.dWx), "dWh": Tensor(shape: [s.h, 4 * s.h], values: g.dWh),
            "db": Tensor(shape: [4 * s.h], values: g.db),
        ]
    }

    public func forwardOperations(_ inputs: LayerInputs) -> Double { LSTMCore.operations(sizes(inputs)) }

    public var slips: [LayerSlip] {
        LSTMSlips(
            run: { inputs, upstream, variant in backward(inputs, upstream: upstream, variant: variant) }, convert: { $0 },
            words: .cs231n, dh: "dh0", dc: nil, steps: { $0["x"]!.shape[1] }, batch: { $0["x"]!.shape[0] }
        ).slips
    }
}
