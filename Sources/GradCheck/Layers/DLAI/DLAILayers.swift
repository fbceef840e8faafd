/// The deeplearning.ai convention's layer types ("Convolution model - Step by Step",
/// "Building a Recurrent Neural Network - Step by Step"): the names requests use.
public enum DLAILayers {
    public static let types: [LayerType] = [
        LayerType("rnn_cell", .dlai) { _ throws(LayerError) in DLAIRNNCellLayer() },
        LayerType("rnn", .dlai) { _ throws(LayerError) in DLAIRNNLayer() },
        LayerType("lstm_cell", .dlai) { _ throws(LayerError) in DLAILSTMCellLayer() },
        LayerType("lstm", .dlai) { _ throws(LayerError) in DLAILSTMLayer() },
        LayerType("conv", .dlai) { hyper throws(LayerError) in
            DLAIConvLayer(
                stride: try hyper.integer("stride", default: 1, atLeast: 1), pad: try hyper.integer("pad", default: 0, atLeast: 0))
        },
        LayerType("pool", .dlai) { hyper throws(LayerError) in
            DLAIPoolLayer(
                f: try hyper.integer("f", default: 2, atLeast: 1), stride: try hyper.integer("stride", default: 2, atLeast: 1),
                mode: DLAIPoolLayer.Mode(rawValue: try hyper.choice("mode", ["max", "average"], default: "max"))!)
        },
    ]
}
