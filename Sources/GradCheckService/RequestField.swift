import JSON

/// Every top-level field a request body may have, by its JSON name (the raw value): the reader
/// accepts exactly these, its errors name them, and `OpenAPIDocumentTests` holds the OpenAPI
/// document's request schemas to the same lists.
public enum RequestField: String, Sendable, CaseIterable {
    case inputs = "X"
    case labels = "Y"
    case parameters, activation, output, lambd, gradients
    case epsilon, threshold, method, mode, samples, directions, seed, dtype, only, shard
    case x, theta, dtheta
    case convention, layer
    case layerInputs = "inputs"
    case upstream, layers, loss, reg, y, mask

    /// The fields of a network body, in the order the unknown-field message lists them.
    public static let network: [RequestField] = [
        .inputs, .labels, .parameters, .activation, .output, .lambd, .gradients,
        .epsilon, .threshold, .method, .mode, .samples, .directions, .seed, .dtype, .only, .shard,
    ]
    /// The fields of a layer check: one layer function, like CS231n's notebooks check.
    public static let layerCheck: [RequestField] = [
        .convention, .layer, .layerInputs, .upstream, .gradients, .epsilon, .threshold, .seed, .dtype,
    ]
    /// The fields of a network of named layers ending in a loss.
    public static let layerNetwork: [RequestField] = [
        .convention, .inputs, .y, .mask, .layers, .loss, .reg, .gradients, .epsilon, .threshold, .dtype,
    ]
    /// The fields of the notebook's scalar body.
    public static let scalar: [RequestField] = [.x, .theta, .dtheta, .epsilon, .threshold, .method]

    /// The fields whose presence makes a body a network body, or a scalar one.
    static let networkMarkers: [RequestField] = [.inputs, .parameters]
    static let scalarMarkers: [RequestField] = [.x, .theta]
    /// A body with `layer` is a layer check, one with `layers` a network of layers.
    static let layerMarker = RequestField.layer
    static let layerNetworkMarker = RequestField.layers

    /// `"X, Y, parameters, ..."`, for messages that list what is expected.
    static func names(_ fields: [RequestField]) -> String {
        fields.map(\.rawValue).joined(separator: ", ")
    }
}

/// The members of `shard`: `{"index": i, "count": n}`.
public enum ShardField: String, Sendable, CaseIterable {
    case index, count
}

extension JSONObject {
    subscript(field: RequestField) -> JSONValue? { self[field.rawValue] }
}

extension RequestError {
    /// A 422 about one top-level field: the detail reads `field: message`.
    static func invalid(_ field: RequestField, _ message: String) -> RequestError {
        invalid(field.rawValue, message)
    }
}
