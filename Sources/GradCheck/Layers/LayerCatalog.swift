/// Whose names and layouts a layer body uses.
public enum LayerConvention: String, Sendable, CaseIterable {
    /// CS231n's `layers.py`/`rnn_layers.py`: NCHW images, `x @ w`, LSTM gates i, f, o, g, dropout
    /// `p` = keep probability. The default for layer and network bodies.
    case cs231n
    /// deeplearning.ai's "Step by Step" notebooks: NHWC images (`A_prev`, `W` (f,f,C,F)), columns
    /// as examples in the RNN cells, separate gate weights over [a_prev; xt].
    case dlai
}

/// One layer type a convention knows: its name in the request's `type` and how its
/// hyper-parameters make the function.
public struct LayerType: Sendable {
    public let name: String
    public let convention: LayerConvention
    public let make: @Sendable (inout HyperReader) throws(LayerError) -> any LayerFunction

    public init(
        _ name: String, _ convention: LayerConvention,
        make: @escaping @Sendable (inout HyperReader) throws(LayerError) -> any LayerFunction
    ) {
        self.name = name
        self.convention = convention
        self.make = make
    }
}

/// Every layer type, by convention: the one list the reader, the OpenAPI document and the
/// tests read.
public enum LayerCatalog {
    public static let all: [LayerType] = CS231nLayers.types + DLAILayers.types

    public static func names(_ convention: LayerConvention) -> [String] {
        all.filter { $0.convention == convention }.map(\.name)
    }

    /// The layer `type` of `convention` with its hyper-parameters read from `hyper` (unknown
    /// ones refused); `field` names the `type` member in errors.
    public static func make(
        _ type: String, convention: LayerConvention, hyper: inout HyperReader, field: String
    ) throws(LayerError) -> any LayerFunction {
        guard let entry = all.first(where: { $0.name == type && $0.convention == convention }) else {
            throw LayerError(
                field,
                "unknown layer type \"\(type)\" in the \(convention.rawValue) convention; expected one of \(names(convention).joined(separator: ", "))"
            )
        }
        let layer = try entry.make(&hyper)
        try hyper.refuseUnknown(type: type)
        return layer
    }

    /// Checks `inputs` against the layer's argument names: every argument present, none unknown,
    /// integer arguments whole numbers. `prefix` is where the inputs sit (`inputs.`).
    public static func checkNames(
        _ inputs: LayerInputs, of layer: any LayerFunction, type: String, convention: LayerConvention, prefix: String
    ) throws(LayerError) {
        let takes = layer.inputNames.joined(separator: ", ")
        let which = "\(convention.rawValue)'s \(type)"
        for name in inputs.keys.sorted() where !layer.inputNames.contains(name) {
            throw LayerError(prefix + name, "\(which) takes no argument \"\(name)\"; its arguments are \(takes)")
        }
        for name in layer.inputNames where inputs[name] == nil {
            throw LayerError(prefix + name, "missing; \(which) takes \(takes)")
        }
        for name in layer.integerInputs.sorted() {
            if let tensor = inputs[name], let bad = tensor.values.firstIndex(where: { $0.rounded(.towardZero) != $0 }) {
                throw LayerError(
                    prefix + name,
                    "must hold whole numbers (indices or labels); entry \(tensor.index(ofFlat: bad)) is \(tensor.values[bad])")
            }
        }
    }
}
