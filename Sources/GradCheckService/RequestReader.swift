import GradCheck

/// Reads a request body into a `ServiceRequest`: JSON syntax first (400), then every field (422).
///
/// A network body has `X`/`parameters`, a scalar body `x`/`theta`; a body with both kinds is
/// refused rather than guessed. Unknown fields are refused too, so a typo such as `epsilion`
/// does not silently fall back to a default.
public enum RequestReader {
    static let networkFields = ["X", "Y", "parameters", "activation", "output", "lambd", "gradients",
                                "epsilon", "threshold", "method", "mode", "samples", "directions", "seed"]
    static let scalarFields = ["x", "theta", "dtheta", "epsilon", "threshold", "method"]

    public static func read(_ body: [UInt8], maxDepth: Int = JSONReader.defaultMaxDepth) throws(RequestError) -> ServiceRequest {
        let value: JSONValue
        do { value = try JSONReader.parse(body, maxDepth: maxDepth) } catch { throw RequestError(error) }
        return try read(value)
    }

    public static func read(_ body: UnsafeRawBufferPointer, maxDepth: Int = JSONReader.defaultMaxDepth) throws(RequestError) -> ServiceRequest {
        let value: JSONValue
        do { value = try JSONReader.parse(body, maxDepth: maxDepth) } catch { throw RequestError(error) }
        return try read(value)
    }

    public static func read(_ value: JSONValue) throws(RequestError) -> ServiceRequest {
        guard case .object(let object) = value else {
            throw RequestError.invalidBody("the body is \(value.typeDescription); expected a JSON object with X, Y and parameters (or x and theta)")
        }
        let isNetwork = object["X"] != nil || object["parameters"] != nil
        let isScalar = object["x"] != nil || object["theta"] != nil
        if isNetwork && isScalar {
            throw RequestError.invalidBody("the body mixes network fields (X, parameters) with scalar fields (x, theta); send one kind")
        }
        if isScalar { return .scalar(try scalar(object)) }
        if isNetwork { return .network(try network(object)) }
        throw RequestError.invalidBody("expected a network body (X, Y, parameters) or a scalar body (x, theta); got keys: "
            + (object.keys.isEmpty ? "none" : object.keys.joined(separator: ", ")))
    }

    static func network(_ object: JSONObject) throws(RequestError) -> NetworkRequest {
        try rejectUnknown(object, known: networkFields)
        let x = try MatrixReader.matrix(try required(object, "X"), field: "X", flat: .rejected)
        let y = try MatrixReader.matrix(try required(object, "Y"), field: "Y", flat: .row)
        let parameters = try tensors(try required(object, "parameters"), field: "parameters", prefix: "")
        let gradients = try object["gradients"].map { (v) throws(RequestError) in try tensors(v, field: "gradients", prefix: "d") }
        let method = try FieldReader.choice(object, "method", DifferenceMethod.self, default: .central)
        return NetworkRequest(
            x: x, y: y, parameters: parameters,
            activation: try FieldReader.choice(object, "activation", Activation.self, default: .relu),
            output: try FieldReader.choice(object, "output", OutputLayer.self, default: .sigmoid),
            lambd: try FieldReader.number(object, "lambd", default: 0, atLeast: 0),
            gradients: gradients,
            epsilon: try FieldReader.number(object, "epsilon", default: RequestDefaults.epsilon(for: method), above: 0),
            threshold: try FieldReader.number(object, "threshold", default: RequestDefaults.threshold, above: 0),
            method: method,
            mode: try mode(object))
    }

    static func scalar(_ object: JSONObject) throws(RequestError) -> ScalarRequest {
        try rejectUnknown(object, known: scalarFields)
        let method = try FieldReader.choice(object, "method", DifferenceMethod.self, default: .central)
        let dtheta: Double? = object["dtheta"] == nil ? nil : try FieldReader.number(object, "dtheta", default: 0)
        return ScalarRequest(
            x: try FieldReader.number(object, "x", default: nil),
            theta: try FieldReader.number(object, "theta", default: nil),
            dtheta: dtheta,
            epsilon: try FieldReader.number(object, "epsilon", default: RequestDefaults.epsilon(for: method), above: 0),
            threshold: try FieldReader.number(object, "threshold", default: RequestDefaults.threshold, above: 0),
            method: method)
    }

    static func mode(_ object: JSONObject) throws(RequestError) -> CheckMode {
        let name = try FieldReader.string(object, "mode") ?? "full"
        let seed = UInt64(try FieldReader.integer(object, "seed", default: Int(RequestDefaults.seed), in: 0...(1 << 53)))
        switch name {
        case "full":
            try forbid(object, ["samples", "directions", "seed"], unless: "sample\" or \"directional")
            return .full
        case "sample":
            try forbid(object, ["directions"], unless: "directional")
            return .sample(samples: try FieldReader.integer(object, "samples", default: RequestDefaults.samples, in: 1...RequestDefaults.maxCount), seed: seed)
        case "directional":
            try forbid(object, ["samples"], unless: "sample")
            return .directional(directions: try FieldReader.integer(object, "directions", default: RequestDefaults.directions, in: 1...RequestDefaults.maxCount), seed: seed)
        default:
            throw RequestError.invalid("mode", "unknown \"\(name)\"; expected full, sample, directional")
        }
    }

    /// `parameters` (W1, b1, ...) or `gradients` (dW1, db1, ...): an object of matrices whose keys
    /// name a layer; biases may be flat lists (one column).
    static func tensors(_ value: JSONValue, field: String, prefix: String) throws(RequestError) -> [String: Matrix] {
        guard case .object(let object) = value else {
            throw RequestError.invalid(field, "expected an object of matrices (\(prefix)W1, \(prefix)b1, ...), got \(value.typeDescription)")
        }
        if object.members.isEmpty {
            throw RequestError.invalid(field, "empty object; expected \(prefix)W1, \(prefix)b1, ..., \(prefix)WL, \(prefix)bL")
        }
        var tensors: [String: Matrix] = [:]
        for (key, entry) in object.members {
            let path = "\(field).\(key)"
            guard key.hasPrefix(prefix), let id = ParameterID(name: String(key.dropFirst(prefix.count))) else {
                throw RequestError.invalid(path, "unknown key; expected \(prefix)W1, \(prefix)b1, ..., \(prefix)WL, \(prefix)bL (layers count from 1)")
            }
            tensors[key] = try MatrixReader.matrix(entry, field: path, flat: id.kind == .bias ? .column : .rejected)
        }
        return tensors
    }

    private static func required(_ object: JSONObject, _ key: String) throws(RequestError) -> JSONValue {
        guard let value = object[key] else { throw RequestError.invalid(key, "missing; it is required") }
        return value
    }

    private static func rejectUnknown(_ object: JSONObject, known: [String]) throws(RequestError) {
        for key in object.keys where !known.contains(key) {
            throw RequestError.invalid(key, "unknown field; expected one of \(known.joined(separator: ", "))")
        }
    }

    private static func forbid(_ object: JSONObject, _ keys: [String], unless mode: String) throws(RequestError) {
        for key in keys where object[key] != nil {
            throw RequestError.invalid(key, "only used with \"mode\": \"\(mode)\"")
        }
    }
}
