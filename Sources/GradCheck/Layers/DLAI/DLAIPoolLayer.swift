/// deeplearning.ai's `pool_forward`/`pool_backward`: A_prev (m, n_H_prev, n_W_prev, n_C),
/// hyper-parameters `f`, `stride` and `mode` (max | average); A (m, n_H, n_W, n_C) with n_H =
/// int(1 + (n_H_prev - f) / stride) (floored); upstream dA; dA_prev.
///
/// An adapter over `MaxPoolLayer`/`AvgPoolLayer` (f x f windows): A_prev transposed to NCHW, the
/// result (and the slips' replays, and the tied windows' indices) transposed back.
public struct DLAIPoolLayer: LayerFunction {
    public enum Mode: String, Sendable { case max, average }

    public let mode: Mode
    public let pool: any LayerFunction

    public init(f: Int, stride: Int, mode: Mode) {
        self.mode = mode
        switch mode {
        case .max: pool = MaxPoolLayer(poolHeight: f, poolWidth: f, stride: stride, floorsOutput: true)
        case .average: pool = AvgPoolLayer(poolHeight: f, poolWidth: f, stride: stride, floorsOutput: true)
        }
    }

    public var inputNames: [String] { ["A_prev"] }
    public var upstreamNames: [String] { ["dA"] }
    public var gradientInputs: [(gradient: String, input: String)] { [("dA_prev", "A_prev")] }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        let a = inputs["A_prev"]!
        guard a.rank == 4 else { throw LayerError("A_prev", "has shape \(a.shapeDescription); expected (m, n_H_prev, n_W_prev, n_C)") }
        do {
            let shape = try pool.outputShapes(cs231n(inputs))[0]
            return [[shape[0], shape[2], shape[3], shape[1]]]
        } catch {
            throw DLAILayout.renamed(error, ["x": "A_prev"])
        }
    }

    func cs231n(_ inputs: LayerInputs) -> LayerInputs { ["x": DLAILayout.images(inputs["A_prev"]!)] }

    static func dlai(_ gradients: [String: Tensor]) -> [String: Tensor] {
        ["dA_prev": DLAILayout.imagesBack(gradients["dx"]!)]
    }

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        [DLAILayout.imagesBack(pool.forward(cs231n(inputs))[0])]
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        Self.dlai(pool.backward(cs231n(inputs), upstream: [DLAILayout.images(upstream[0])]))
    }

    public func forwardOperations(_ inputs: LayerInputs) -> Double {
        pool.forwardOperations(cs231n(inputs)) + 4 * Double(inputs["A_prev"]!.count)
    }

    /// The tied windows of max pooling, as flat indices into A_prev (m, n_H, n_W, n_C).
    public func tiedGroups(_ inputs: LayerInputs, within resolution: Double) -> [String: [[Int]]] {
        let x = cs231n(inputs)
        guard let groups = pool.tiedGroups(x, within: resolution)["x"] else { return [:] }
        let shape = x["x"]!.shape
        return ["A_prev": groups.map { $0.map { DLAILayout.imageIndexBack($0, nchw: shape) } }]
    }

    /// The messages of the pool's slips, in their order, in this layout's names.
    var messages: [String] {
        switch mode {
        case .max:
            return [
                "dA_prev sends a window's whole dA to every tied maximum (the notebook's mask x == np.max(x)) instead of one share of it",
                "dA_prev assigns each window's gradient (dA_prev[slice] = mask * dA) where overlapping windows must add (+=)",
                "dA_prev assigns dA to each window's maximum (=) where overlapping windows must add (+=)",
                "dA_prev ignores the stride: the backward's slices move by 1 where the forward's moved by stride",
            ]
        case .average:
            return [
                "dA_prev is not divided by the window's area f * f: distribute_value must share dA equally",
                "dA_prev is divided by the window's area twice (dA / (f * f)^2)",
                "dA_prev assigns each window's share (dA_prev[slice] = dA / (f * f)) where overlapping windows must add (+=)",
                "dA_prev ignores the stride: the backward's slices move by 1 where the forward's moved by stride",
            ]
        }
    }

    public var slips: [LayerSlip] {
        zip(pool.slips, messages).map { slip, message in
            LayerSlip(slip.kind, message) { inputs, upstream in
                slip.replay(cs231n(inputs), [DLAILayout.images(upstream[0])]).map(Self.dlai)
            }
        }
    }
}
