/// The CS231n convention's layer types (`layers.py`, `rnn_layers.py`): the names requests use.
public enum CS231nLayers {
    public static let types: [LayerType] = [
        LayerType("affine", .cs231n) { _ throws(LayerError) in AffineLayer() },
        LayerType("relu", .cs231n) { _ throws(LayerError) in ElementwiseLayer(.relu) },
        LayerType("leaky_relu", .cs231n) { hyper throws(LayerError) in
            ElementwiseLayer(.leakyReLU(alpha: try hyper.number("alpha", default: 0.01, atLeast: 0)))
        },
        LayerType("tanh", .cs231n) { _ throws(LayerError) in ElementwiseLayer(.tanh) },
        LayerType("sigmoid", .cs231n) { _ throws(LayerError) in ElementwiseLayer(.sigmoid) },
        LayerType("sigmoid_loss", .cs231n) { _ throws(LayerError) in SigmoidLossLayer() },
        LayerType("rnn_step", .cs231n) { _ throws(LayerError) in RNNStepLayer() },
        LayerType("rnn", .cs231n) { _ throws(LayerError) in RNNLayer() },
        LayerType("lstm_step", .cs231n) { _ throws(LayerError) in LSTMStepLayer() },
        LayerType("lstm", .cs231n) { _ throws(LayerError) in LSTMLayer() },
    ]
}
