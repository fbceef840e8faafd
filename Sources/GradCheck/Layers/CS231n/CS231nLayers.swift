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
        LayerType("batchnorm", .cs231n) { hyper throws(LayerError) in
            BatchNormLayer(eps: try hyper.number("eps", default: 1e-5, atLeast: 0))
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
