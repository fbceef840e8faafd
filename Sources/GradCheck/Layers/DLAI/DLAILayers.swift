/// The deeplearning.ai convention's layer types ("Convolution model - Step by Step",
/// "Building a Recurrent Neural Network - Step by Step"): the names requests use.
public enum DLAILayers {
    public static let types: [LayerType] = [
        LayerType("rnn_cell", .dlai) { _ throws(LayerError) in DLAIRNNCellLayer() },
        LayerType("rnn", .dlai) { _ throws(LayerError) in DLAIRNNLayer() },
        LayerType("lstm_cell", .dlai) { _ throws(LayerError) in DLAILSTMCellLayer() },
        LayerType("lstm", .dlai) { _ throws(LayerError) in DLAILSTMLayer() },
    ]
}
