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
        LayerType("conv", .cs231n) { hyper throws(LayerError) in
            ConvLayer(stride: try hyper.integer("stride", default: 1, atLeast: 1), pad: try hyper.integer("pad", default: 0, atLeast: 0))
        },
        LayerType("max_pool", .cs231n) { hyper throws(LayerError) in
            MaxPoolLayer(
                poolHeight: try hyper.integer("pool_height", default: 2, atLeast: 1),
                poolWidth: try hyper.integer("pool_width", default: 2, atLeast: 1),
                stride: try hyper.integer("stride", default: 2, atLeast: 1))
        },
        LayerType("avg_pool", .cs231n) { hyper throws(LayerError) in
            AvgPoolLayer(
                poolHeight: try hyper.integer("pool_height", default: 2, atLeast: 1),
                poolWidth: try hyper.integer("pool_width", default: 2, atLeast: 1),
                stride: try hyper.integer("stride", default: 2, atLeast: 1))
        },
        LayerType("dropout", .cs231n) { hyper throws(LayerError) in try DropoutLayer.make(&hyper) },
        LayerType("word_embedding", .cs231n) { _ throws(LayerError) in WordEmbeddingLayer() },
        LayerType("temporal_affine", .cs231n) { _ throws(LayerError) in TemporalAffineLayer() },
        LayerType("softmax_loss", .cs231n) { _ throws(LayerError) in SoftmaxLossLayer() },
        LayerType("svm_loss", .cs231n) { _ throws(LayerError) in SVMLossLayer() },
        LayerType("temporal_softmax_loss", .cs231n) { _ throws(LayerError) in TemporalSoftmaxLossLayer() },
        LayerType("batchnorm", .cs231n) { hyper throws(LayerError) in
            let eps = try hyper.number("eps", default: 1e-5, atLeast: 0)
            let ddof = try hyper.integer("ddof", default: 0, atLeast: 0)
            guard ddof <= 1 else {
                throw LayerError(
                    hyper.prefix + "ddof", "must be 0 (CS231n's biased variance) or 1 (makemore's unbiased 1/(n-1)), got \(ddof)")
            }
            return BatchNormLayer(eps: eps, ddof: ddof)
        },
        LayerType("layernorm", .cs231n) { hyper throws(LayerError) in
            LayerNormLayer(eps: try hyper.number("eps", default: 1e-5, atLeast: 0))
        },
        LayerType("spatial_batchnorm", .cs231n) { hyper throws(LayerError) in
            SpatialBatchNormLayer(eps: try hyper.number("eps", default: 1e-5, atLeast: 0))
        },
        LayerType("spatial_groupnorm", .cs231n) { hyper throws(LayerError) in
            let groups = try hyper.integer("G", default: nil, atLeast: 1)
            return SpatialGroupNormLayer(groups: groups, eps: try hyper.number("eps", default: 1e-5, atLeast: 0))
        },
    ]
}
