/// CS231n's `lstm_step_forward`/`lstm_step_backward`: x (N, D), prev_h, prev_c (N, H),
/// Wx (D, 4H), Wh (H, 4H), b (4H), gates i, f, o, g along 4H; next_c = f * prev_c + i * g,
/// next_h = o * tanh(next_c). Two outputs (next_h, next_c), upstream dnext_h and dnext_c.
///
/// Derivation (LSTMCore at T = 1): dc = dnext_c + dnext_h * o * (1 - tanh(next_c)^2);
/// do = dnext_h * tanh(next_c), di = dc * g, df = dc * prev_c, dg = dc * i, dprev_c = dc * f;
/// da = [di i(1-i), df f(1-f), do o(1-o), dg (1-g^2)]; dx = da Wx^T, dprev_h = da Wh^T,
/// dWx = x^T da, dWh = prev_h^T da, db = sum_n da.
public struct LSTMStepLayer: LayerFunction {
    public init() {}

    public var inputNames: [String] { ["x", "prev_h", "prev_c", "Wx", "Wh", "b"] }
    public var upstreamNames: [String] { ["dnext_h", "dnext_c"] }
    public var gradientInputs: [(gradient: String, input: String)] {
        [("dx", "x"), ("dprev_h", "prev_h"), ("dprev_c", "prev_c"), ("dWx", "Wx"), ("dWh", "Wh"), ("db", "b")]
    }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        let x = inputs["x"]!
        let wx = inputs["Wx"]!
        guard x.rank == 2 else { throw LayerError("x", "has shape \(x.shapeDescription); expected (N, D)") }
        guard wx.rank == 2, wx.shape[0] == x.shape[1], wx.shape[1] % 4 == 0 else {
            throw LayerError.shapes(
                "Wx", wx.shape, expected: [x.shape[1], 4 * ((wx.shape.last ?? 0) / 4)],
                because: "x \(x.shapeDescription) (and the four gates along 4H)")
        }
        let (n, h) = (x.shape[0], wx.shape[1] / 4)
        let reason = "x \(x.shapeDescription) and Wx \(wx.shapeDescription)"
        try RecurrentShapes.expect(inputs, "prev_h", [n, h], because: reason)
        try RecurrentShapes.expect(inputs, "prev_c", [n, h], because: reason)
        try RecurrentShapes.expect(inputs, "Wh", [h, 4 * h], because: "Wx \(wx.shapeDescription)")
        try RecurrentShapes.expect(inputs, "b", [4 * h], because: "Wx \(wx.shapeDescription)")
        return [[n, h], [n, h]]
    }

    func sizes(_ inputs: LayerInputs) -> LSTMCore.Sizes {
        let x = inputs["x"]!
        return LSTMCore.Sizes(n: x.shape[0], t: 1, d: x.shape[1], h: inputs["Wx"]!.shape[1] / 4)
    }

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        let s = sizes(inputs)
        let result = LSTMCore.forward(
            x: inputs["x"]!.values, h0: inputs["prev_h"]!.values, c0: inputs["prev_c"]!.values, wx: inputs["Wx"]!.values,
            wh: inputs["Wh"]!.values, b: inputs["b"]!.values, sizes: s)
        return [Tensor(shape: [s.n, s.h], values: result.h), Tensor(shape: [s.n, s.h], values: result.c)]
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        backward(inputs, upstream: upstream, variant: .right)
    }

    func backward(_ inputs: LayerInputs, upstream: [Tensor], variant: LSTMCore.Variant) -> [String: Tensor] {
        let s = sizes(inputs)
        let g = LSTMCore.backward(
            x: inputs["x"]!.values, h0: inputs["prev_h"]!.values, c0: inputs["prev_c"]!.values, wx: inputs["Wx"]!.values,
            wh: inputs["Wh"]!.values, b: inputs["b"]!.values, dh: upstream[0].values, dcLast: upstream[1].values, sizes: s,
            variant: variant)
        return [
            "dx": Tensor(shape: [s.n, s.d], values: g.dx), "dprev_h": Tensor(shape: [s.n, s.h], values: g.dh0),
            "dprev_c": Tensor(shape: [s.n, s.h], values: g.dc0), "dWx": Tensor(shape: [s.d, 4 * s.h], values: g.dWx),
            "dWh": Tensor(shape: [s.h, 4 * s.h], values: g.dWh), "db": Tensor(shape: [4 * s.h], values: g.db),
        ]
    }

    public func forwardOperations(_ inputs: LayerInputs) -> Double { LSTMCore.operations(sizes(inputs)) }

    public var slips: [LayerSlip] {
        LSTMSlips(
            run: { inputs, upstream, variant in backward(inputs, upstream: upstream, variant: variant) }, convert: { $0 },
            words: .cs231n, dh: "dprev_h", dc: "dprev_c", steps: { _ in 1 }, batch: { $0["x"]!.shape[0] }
        ).slips
    }
}
