import GradCheck
import JSON

/// Reads the two layer bodies field by field (422 naming the field); whether the layers and
/// shapes fit together is the core's to say (`LayerCatalog`, `LayerFunction.outputShapes`).
extension RequestReader {
    /// Layers a network body may have: far more than any course network, few enough that a
    /// message or a report listing them stays readable.
    static let maxLayers = 256

    static func layerCheck(_ object: JSONObject) throws(RequestError) -> LayerRequest {
        try rejectUnknown(object, known: RequestField.layerCheck)
        let convention = try FieldReader.choice(object, .convention, LayerConvention.self, default: RequestDefaults.convention)
        let (type, hyper) = try layerObject(try required(object, .layer), field: RequestField.layer.rawValue, reserved: ["type"])
        let inputs = try TensorReader.tensors(try required(object, .layerInputs), field: RequestField.layerInputs.rawValue)
        let upstream = try object[.upstream].map { (v) throws(RequestError) in
            try TensorReader.tensors(v, field: RequestField.upstream.rawValue)
        }
        let gradients = try object[.gradients].map { (v) throws(RequestError) in
            try TensorReader.tensors(v, field: RequestField.gradients.rawValue)
        }
        return LayerRequest(
            convention: convention, type: type, hyper: hyper, inputs: inputs, upstream: upstream, gradients: gradients,
            epsilon: try FieldReader.number(object, .epsilon, default: RequestDefaults.epsilon(for: .central), above: 0),
            threshold: try FieldReader.number(object, .threshold, default: RequestDefaults.threshold, above: 0),
            seed: UInt64(try FieldReader.integer(object, .seed, default: Int(RequestDefaults.seed), in: 0...(1 << 53))),
            precision: try FieldReader.choice(object, .dtype, Precision.self, default: RequestDefaults.precision))
    }

    static func layerNetwork(_ object: JSONObject) throws(RequestError) -> LayerNetworkRequest {
        try rejectUnknown(object, known: RequestField.layerNetwork)
        let convention = try FieldReader.choice(object, .convention, LayerConvention.self, default: RequestDefaults.convention)
        guard let items = try required(object, .layers).arrayElements, !items.isEmpty, items.count <= maxLayers else {
            throw RequestError.invalid(
                .layers, "expected a list of 1 to \(maxLayers) layer objects ({\"name\": ..., \"type\": ..., \"params\": {...}})")
        }
        var layers: [LayerSpec] = []
        for (k, item) in items.enumerated() {
            let field = "\(RequestField.layers.rawValue)[\(k)]"
            let (type, hyper) = try layerObject(item, field: field, reserved: ["type", "name", "params"])
            guard case .object(let layer) = item else { continue }
            let name: String
            if let value = layer["name"] {
                guard case .string(let text) = value, !text.isEmpty, text.utf8.count <= 64, !text.contains(".") else {
                    throw RequestError.invalid("\(field).name", "expected a name of 1 to 64 characters without a dot, e.g. \"conv1\"")
                }
                name = text
            } else {
                name = "\(type)\(k + 1)"
            }
            if layers.contains(where: { $0.name == name }) {
                throw RequestError.invalid("\(field).name", "\"\(name)\" names an earlier layer too; layer names must be unique")
            }
            let params =
                try layer["params"].map { (v) throws(RequestError) in try TensorReader.tensors(v, field: "\(field).params") } ?? [:]
            layers.append(LayerSpec(name: name, type: type, hyper: hyper, params: params))
        }
        var gradients: [String: [String: Tensor]]?
        if let value = object[.gradients] {
            guard case .object(let byLayer) = value else {
                throw RequestError.invalid(
                    .gradients, "expected an object keyed by layer name, e.g. {\"conv1\": {\"dw\": ..., \"db\": ...}}")
            }
            var read: [String: [String: Tensor]] = [:]
            for (name, entry) in byLayer.members {
                guard layers.contains(where: { $0.name == name }) else {
                    throw RequestError.invalid(
                        "\(RequestField.gradients.rawValue).\(name)",
                        "no layer is named \"\(name)\"; the layers are \(layers.map(\.name).joined(separator: ", "))")
                }
                read[name] = try TensorReader.tensors(entry, field: "\(RequestField.gradients.rawValue).\(name)")
            }
            gradients = read
        }
        return LayerNetworkRequest(
            convention: convention,
            x: try TensorReader.tensor(try required(object, .inputs), field: RequestField.inputs.rawValue),
            y: try TensorReader.tensor(try required(object, .y), field: RequestField.y.rawValue),
            mask: try object[.mask].map { (v) throws(RequestError) in try TensorReader.tensor(v, field: RequestField.mask.rawValue) },
            layers: layers,
            loss: try FieldReader.choice(object, .loss, NetworkLoss.self, default: RequestDefaults.loss),
            reg: try FieldReader.number(object, .reg, default: 0, atLeast: 0),
            gradients: gradients,
            epsilon: try FieldReader.number(object, .epsilon, default: RequestDefaults.epsilon(for: .central), above: 0),
            threshold: try FieldReader.number(object, .threshold, default: RequestDefaults.threshold, above: 0),
            precision: try FieldReader.choice(object, .dtype, Precision.self, default: RequestDefaults.precision))
    }

    /// `{"type": ..., hyper-parameters...}`: the type and the other members as hyper-parameters
    /// (numbers, words, arrays), leaving out `reserved` keys the caller reads itself.
    static func layerObject(_ value: JSONValue, field: String, reserved: Set<String>) throws(RequestError)
        -> (type: String, hyper: [String: HyperValue])
    {
        guard case .object(let object) = value else {
            throw RequestError.invalid(
                field, "expected an object such as {\"type\": \"conv\", \"stride\": 1, \"pad\": 1}, got \(value.typeDescription)")
        }
        guard case .string(let type)? = object["type"] else {
            throw RequestError.invalid("\(field).type", "missing or not a string; it names the layer (affine, conv, max_pool, ...)")
        }
        var hyper: [String: HyperValue] = [:]
        for (key, entry) in object.members where !reserved.contains(key) {
            switch entry {
            case .number(let number): hyper[key] = .number(number)
            case .string(let text): hyper[key] = .text(text)
            case .array, .numbers, .matrix: hyper[key] = .tensor(try TensorReader.tensor(entry, field: "\(field).\(key)"))
            default:
                throw RequestError.invalid("\(field).\(key)", "expected a number, a string or an array, got \(entry.typeDescription)")
            }
        }
        return (type, hyper)
    }
}
