/// Why a layer (or a network of layers) cannot be built or run as sent: the field it is about
/// (`inputs.w`, `layer.stride`, `layers[2].params.w`) and what is wrong, both shapes when shapes
/// disagree. The service answers it as a 422 naming the field.
public struct LayerError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }

    /// Two tensors whose shapes must agree do not: the message names both.
    public static func shapes(
        _ field: String, _ shape: [Int], expected: [Int], because reason: String
    ) -> LayerError {
        LayerError(field, "has shape \(Tensor.describe(shape)) but \(reason) needs \(Tensor.describe(expected))")
    }

    /// The same error about a field one level down (`layers[2].` + `params.w`).
    public func nested(under prefix: String) -> LayerError {
        LayerError(prefix + field, message)
    }
}
