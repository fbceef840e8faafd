/// deeplearning.ai's `conv_forward`/`conv_backward` ("Convolution model - Step by Step"):
/// A_prev (m, n_H_prev, n_W_prev, n_C_prev), W (f, f, n_C_prev, n_C), b (1, 1, 1, n_C),
/// hyper-parameters `stride` and `pad`; Z (m, n_H, n_W, n_C) with n_H = int((n_H_prev - f +
/// 2 pad) / stride) + 1 (floored, as the notebook's int()); upstream dZ; dA_prev, dW, db.
///
/// The same function as CS231n's conv in another layout: this adapter transposes NHWC to NCHW
/// and W (f, f, C, F) to (F, C, f, f), runs `ConvLayer` (its arithmetic and its slips' replays),
/// and transposes the results back under dlai's names.
public struct DLAIConvLayer: LayerFunction {
    public let conv: ConvLayer

    public init(stride: Int, pad: Int) {
        conv = ConvLayer(stride: stride, pad: pad, floorsOutput: true)
    }

    public var inputNames: [String] { ["A_prev", "W", "b"] }
    public var upstreamNames: [String] { ["dZ"] }
    public var gradientInputs: [(gradient: String, input: String)] { [("dA_prev", "A_prev"), ("dW", "W"), ("db", "b")] }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        let a = inputs["A_prev"]!
        let w = inputs["W"]!
        let b = inputs["b"]!
        guard a.rank == 4 else { throw LayerError("A_prev", "has shape \(a.shapeDescription); expected (m, n_H_prev, n_W_prev, n_C_prev)") }
        guard w.rank == 4, w.shape[2] == a.shape[3] else {
            let (f1, f2, c) = w.rank == 4 ? (w.shape[0], w.shape[1], w.shape[3]) : (0, 0, 0)
            throw LayerError.shapes(
                "W", w.shape, expected: [f1, f2, a.shape[3], c], because: "A_prev \(a.shapeDescription) (m, n_H_prev, n_W_prev, n_C_prev)")
        }
        guard b.shape == [1, 1, 1, w.shape[3]] else {
            throw LayerError.shapes(
                "b", b.shape, expected: [1, 1, 1, w.shape[3]], because: "W \(w.shapeDescription) (f, f, n_C_prev, n_C)")
        }
        do {
            let shape = try conv.outputShapes(cs231n(inputs))[0]
            return [[shape[0], shape[2], shape[3], shape[1]]]
        } catch {
            throw DLAILayout.renamed(error, ["x": "A_prev", "w": "W"])
        }
    }

    /// The arguments in CS231n's layout and names.
    func cs231n(_ inputs: LayerInputs) -> LayerInputs {
        let b = inputs["b"]!
        return ["x": DLAILayout.images(inputs["A_prev"]!), "w": DLAILayout.filters(inputs["W"]!), "b": b.reshaped([b.count])]
    }

    /// CS231n's gradients (right or slipped) in dlai's layout and names.
    static func dlai(_ gradients: [String: Tensor]) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (name, value) in gradients {
            switch name {
            case "dx": result["dA_prev"] = DLAILayout.imagesBack(value)
            case "dw": result["dW"] = DLAILayout.filtersBack(value)
            default: result["db"] = DLAILayout.biasBack(value)
            }
        }
        return result
    }

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        [DLAILayout.imagesBack(conv.forward(cs231n(inputs))[0])]
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        Self.dlai(conv.backward(cs231n(inputs), upstream: [DLAILayout.images(upstream[0])]))
    }

    public func forwardOperations(_ inputs: LayerInputs) -> Double {
        conv.forwardOperations(cs231n(inputs)) + 4 * Double(inputs["A_prev"]!.count)
    }

    /// The messages of `ConvLayer`'s slips, in their order, in this layout's names.
    static let messages = [
        "dW is rotated by 180 degrees (dW[::-1, ::-1]): the cross-correlation's arguments are swapped",
        "dA_prev keeps the padding: it is dA_prev_pad, of shape (m, n_H_prev + 2 pad, n_W_prev + 2 pad, n_C_prev)",
        "dA_prev has its padding removed at the top and left only (dA_prev_pad[:, pad:, pad:, :])",
        "dA_prev has its padding removed at the bottom and right only (dA_prev_pad[:, :-pad, :-pad, :])",
        "dA_prev is dA_prev_pad's top-left corner (dA_prev_pad[:, :n_H_prev, :n_W_prev, :]) instead of its middle (pad:-pad)",
        "db is summed over the examples only (dZ.sum(axis=0), shape (n_H, n_W, n_C)) instead of over m, n_H and n_W",
        "db is summed over the positions only (dZ.sum(axis=(1, 2)), shape (m, n_C)): the examples are not summed",
        "db holds the sum of the whole dZ in every entry instead of one sum per filter",
        "dA_prev and dW ignore the stride: the backward's slices move by 1 where the forward's moved by stride",
        "dW is accumulated from the unpadded A_prev instead of A_prev_pad (its slices are shifted by pad)",
    ]

    public var slips: [LayerSlip] {
        zip(conv.slips, Self.messages).map { slip, message in
            LayerSlip(slip.kind, message) { inputs, upstream in
                slip.replay(cs231n(inputs), [DLAILayout.images(upstream[0])]).map(Self.dlai)
            }
        }
    }
}
