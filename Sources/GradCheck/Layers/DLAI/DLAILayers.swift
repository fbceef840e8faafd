/// The deeplearning.ai convention's layer types ("Convolution model - Step by Step",
/// "Building a Recurrent Neural Network - Step by Step"): the names requests use.
public enum DLAILayers {
    public static let types: [LayerType] = []
}
