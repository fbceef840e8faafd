import GradCheck

/// A layer check's body: one layer function (`layer.type` and its hyper-parameters) of a
/// convention, its array arguments, the upstream gradient (drawn when absent), and the caller's
/// gradients (the service's own backward when absent).
public struct LayerRequest: Sendable, Equatable {
    public var convention: LayerConvention
    public var type: String
    public var hyper: [String: HyperValue]
    public var inputs: LayerInputs
    /// By upstream name (`dout`; `dnext_h`, `dnext_c`); nil: drawn from a seeded standard normal.
    public var upstream: [String: Tensor]?
    public var gradients: [String: Tensor]?
    public var epsilon: Double
    public var threshold: Double
    /// Seeds the drawn upstream.
    public var seed: UInt64
    /// `dtype`: the precision the caller's backward ran in.
    public var precision: Precision
}

/// One layer of a network body, as sent.
public struct LayerSpec: Sendable, Equatable {
    public var name: String
    public var type: String
    public var hyper: [String: HyperValue]
    public var params: LayerInputs
}

/// A network body: named layers in order, ending in a loss over `y` (and `mask` for the
/// temporal softmax), with CS231n's L2 term `reg`.
public struct LayerNetworkRequest: Sendable, Equatable {
    public var convention: LayerConvention
    public var x: Tensor
    public var y: Tensor
    public var mask: Tensor?
    public var layers: [LayerSpec]
    public var loss: NetworkLoss
    public var reg: Double
    /// By layer name, then gradient name.
    public var gradients: [String: [String: Tensor]]?
    public var epsilon: Double
    public var threshold: Double
    public var precision: Precision
}
