import GradCheck

/// Reads a request body into a `ServiceRequest`: JSON syntax first (400), then every field (422).
///
/// A network body has `X`/`parameters`, a scalar body `x`/`theta`; a body with both kinds is
/// refused rather than guessed. Unknown fields are refused too, so a typo such as `epsilion`
/// does not silently fall back to a default.
public enum RequestReader {
    static let networkFields = [
        "X", "Y", "parameters", "activation", "output", "lambd", "gradients",
        "epsilon", "threshold", "method", "mode", "samples", "directions", "seed", "dtype", "only", "shard",
    ]
    static let scalarFields = ["x", "theta", "dtheta", "epsilon", "threshold", "method"]

    /// `memory` is asked for the bytes the JSON tree grows to (see `JSONReader.MemoryAllowance`).
    public static func read(
        _ body: [UInt8], maxDepth: Int = JSONReader.defaultMaxDepth,
        memory: JSONReader.MemoryAllowance? = nil
    ) throws(RequestError) -> ServiceRequest {
        let value: JSONValue
        do { value = try JSONReader.parse(body, maxDepth: maxDepth, topLevelKeyCheck: refuseUnknownKey, memory: memory) } catch {
            throw RequestError(error)
        }
        return try read(value)
    }

    public static func read(_ body: UnsafeRawBufferPointer, maxDepth: Int = JSONReader.defaultMaxDepth) throws(RequestError)
        -> ServiceRequest
    {
        let value: JSONValue
        do { value = try JSONReader.parse(body, maxDepth: maxDepth, topLevelKeyCheck: refuseUnknownKey) } catch {
            throw RequestError(error)
        }
        return try read(value)
    }

    /// A key neither body kind knows is refused while the body is read, before its value is
    /// parsed (the same message `rejectUnknown` gives afterwards).
    static func refuseUnknownKey(_ key: String, earlierMembers: [(key: String, value: JSONValue)]) -> String? {
        if networkFields.contains(key) || scalarFields.contains(key) { return nil }
        let scalar = earlierMembers.contains { $0.key == "x" || $0.key == "theta" }
        return unknownFieldMessage(known: scalar ? scalarFields : networkFields)
    }

    static func unknownFieldMessage(known: [String]) -> String {
        "unknown field; expected one of \(known.joined(separator: ", "))"
    }

    public static func read(_ value: JSONValue) throws(RequestError) -> ServiceRequest {
        guard case .object(let object) = value else {
            throw RequestError.invalidBody(
                "the body is \(value.typeDescription); expected a JSON object with X, Y and parameters (or x and theta)")
        }
        let isNetwork = object["X"] != nil || object["parameters"] != nil
        let isScalar = object["x"] != nil || object["theta"] != nil
        if isNetwork && isScalar {
            throw RequestError.invalidBody("the body mixes network fields (X, parameters) with scalar fields (x, theta); send one kind")
        }
        if isScalar { return .scalar(try scalar(object)) }
        if isNetwork { return .network(try network(object)) }
        throw RequestError.invalidBody(
            "expected a network body (X, Y, parameters) or a scalar body (x, theta); got keys: "
                + (object.keys.isEmpty ? "none" : object.keys.joined(separator: ", ")))
    }

    static func network(_ object: JSONObject) throws(RequestError) -> NetworkRequest {
        try rejectUnknown(object, known: networkFields)
        let x = try MatrixReader.matrix(try required(object, "X"), field: "X", flat: .rejected)
        let y = try MatrixReader.matrix(try required(object, "Y"), field: "Y", flat: .row)
        let parameters = try tensors(try required(object, "parameters"), field: "parameters", prefix: "")
        let gradients = try object["gradients"].map { (v) throws(RequestError) in try tensors(v, field: "gradients", prefix: "d") }
        let method = try FieldReader.choice(object, "method", DifferenceMethod.self, default: .central)
        let output = try FieldReader.choice(object, "output", OutputLayer.self, default: .sigmoid)
        var request = NetworkRequest(
            x: x, y: y, parameters: parameters,
            activation: try FieldReader.choice(object, "activation", Activation.self, default: .relu),
            output: output,
            lambd: try FieldReader.number(object, "lambd", default: 0, atLeast: 0),
            gradients: gradients,
            epsilon: try FieldReader.number(object, "epsilon", default: RequestDefaults.epsilon(for: method), above: 0),
            threshold: try FieldReader.number(object, "threshold", default: RequestDefaults.threshold, above: 0),
            method: method,
            mode: try mode(object))
        request.precision = try FieldReader.choice(object, "dtype", Precision.self, default: .float64)
        request.only = try only(object)
        request.shard = try shard(object)
        if request.shard != nil && request.mode != .full {
            throw RequestError.invalid(
                "shard", "only used with \"mode\": \"full\" (a sample or directional check is cheap enough for one replica)")
        }
        return request
    }

    /// `shard`: `{"index": i, "count": n}`, 0 <= i < n <= `ShardSpec.maxCount`.
    static func shard(_ object: JSONObject) throws(RequestError) -> ShardSpec? {
        guard let value = object["shard"] else { return nil }
        guard case .object(let shard) = value else {
            throw RequestError.invalid("shard", "expected {\"index\": i, \"count\": n}, got \(value.typeDescription)")
        }
        for key in shard.keys where key != "index" && key != "count" {
            throw RequestError.invalid("shard.\(key)", "unknown field; expected index, count")
        }
        guard shard["index"] != nil, shard["count"] != nil else {
            throw RequestError.invalid("shard", "expected both index and count, e.g. {\"index\": 0, \"count\": 3}")
        }
        let count: Int
        let index: Int
        do throws(RequestError) {
            count = try FieldReader.integer(shard, "count", default: 1, in: 1...ShardSpec.maxCount)
            index = try FieldReader.integer(shard, "index", default: 0, in: 0...(count - 1))
        } catch {
            throw RequestError.invalid("shard", error.detail)
        }
        return ShardSpec(index: index, count: count)
    }

    /// `only`: a non-empty list of tensor names or patterns (`W2`, `b*`).
    static func only(_ object: JSONObject) throws(RequestError) -> [String]? {
        guard let value = object["only"] else { return nil }
        guard case .array(let items) = value, !items.isEmpty else {
            throw RequestError.invalid("only", "expected a non-empty list of tensor names or patterns, e.g. [\"W2\", \"b*\"]")
        }
        var patterns: [String] = []
        for item in items {
            guard case .string(let pattern) = item, !pattern.isEmpty, pattern.utf8.count <= 64 else {
                throw RequestError.invalid(
                    "only", "every entry must be a tensor name or pattern (a string of 1 to 64 characters), e.g. \"W2\" or \"b*\"")
            }
            patterns.append(pattern)
        }
        return patterns
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

    /// `epsilon` inside the method's sane range (`RequestDefaults.epsilonRange`), checked when
    /// the request is served: the scalar case's complex step divides x * h by h, exact for any h.
    static func checkEpsilon(_ value: Double, method: DifferenceMethod) throws(RequestError) {
        let range = RequestDefaults.epsilonRange(for: method)
        guard !range.contains(value) else { return }
        let why =
            method == .central
            ? "a longer step measures its own truncation error and the kinks it crosses, a shorter one is below what theta + epsilon can resolve in float64"
            : "complex-step returns the h -> 0 limit of Im J(theta + i h) / h, which it equals to rounding only for h <= 1e-8 (default 1e-20)"
        throw RequestError.invalid(
            "epsilon", "must be in \(range.lowerBound)...\(range.upperBound) for \(method.rawValue), got \(value): \(why)")
    }

    /// Labels the loss is defined for (checked once the shapes are known to fit, so a wrong
    /// shape is reported as such first): binary cross-entropy needs Y in [0, 1]; softmax
    /// cross-entropy needs each column to be a distribution (non-negative, summing to 1).
    static func checkLabels(_ y: Matrix, output: OutputLayer) throws(RequestError) {
        switch output {
        case .sigmoid:
            if let bad = y.values.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
                throw RequestError.invalid(
                    "Y",
                    "label \(y.values[bad]) at row \(bad / y.cols + 1), column \(bad % y.cols + 1) is outside [0, 1]; a sigmoid output's binary cross-entropy needs labels in [0, 1] (0/1 classes, or probabilities)"
                )
            }
        case .softmax:
            for c in 0..<y.cols {
                var sum = 0.0
                for r in 0..<y.rows {
                    let value = y.values[r * y.cols + c]
                    if value < 0 {
                        throw RequestError.invalid(
                            "Y",
                            "label \(value) at row \(r + 1), column \(c + 1) is negative; each softmax label column must be a distribution (one-hot, or non-negative summing to 1)"
                        )
                    }
                    sum += value
                }
                if abs(sum - 1) > RequestDefaults.labelSumTolerance {
                    throw RequestError.invalid(
                        "Y",
                        "column \(c + 1) sums to \(sum), not 1; each softmax label column must be a distribution (one-hot, or non-negative summing to 1)"
                    )
                }
            }
        }
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
            return .sample(
                samples: try FieldReader.integer(object, "samples", default: RequestDefaults.samples, in: 1...RequestDefaults.maxCount),
                seed: seed)
        case "directional":
            try forbid(object, ["samples"], unless: "sample")
            return .directional(
                directions: try FieldReader.integer(
                    object, "directions", default: RequestDefaults.directions, in: 1...RequestDefaults.maxCount), seed: seed)
        default:
            throw RequestError.invalid("mode", "unknown \"\(name)\"; expected full, sample, directional")
        }
    }

    /// `parameters` (W1, b1, ...) or `gradients` (dW1, db1, ...): an object of matrices whose keys
    /// name a layer; biases may be flat lists (one column).
    static func tensors(_ value: JSONValue, field: String, prefix: String) throws(RequestError) -> [String: Matrix] {
        guard case .object(let object) = value else {
            throw RequestError.invalid(
                field, "expected an object of matrices (\(prefix)W1, \(prefix)b1, ...), got \(value.typeDescription)")
        }
        if object.members.isEmpty {
            throw RequestError.invalid(field, "empty object; expected \(prefix)W1, \(prefix)b1, ..., \(prefix)WL, \(prefix)bL")
        }
        var tensors: [String: Matrix] = [:]
        for (key, entry) in object.members {
            let path = "\(field).\(key)"
            let flat: MatrixReader.FlatList
            if prefix.isEmpty, let id = ParameterID(name: key) {
                flat = id.kind == .bias ? .column : .rejected
            } else if !prefix.isEmpty, let name = GradientName(key) {
                // The whole dict `backward_propagation_n` returns: dZ_l and dA_l beside dW_l, db_l.
                flat = name.kind == .bias ? .column : name.isIntermediate ? .row : .rejected
            } else {
                let intermediates = prefix.isEmpty ? "" : ", and any of dZ1 ... dZL, dA0 ... dA(L-1) (dAL for a sigmoid output)"
                throw RequestError.invalid(
                    path,
                    "unknown key; expected \(prefix)W1, \(prefix)b1, ..., \(prefix)WL, \(prefix)bL (layers count from 1)\(intermediates)")
            }
            tensors[key] = try MatrixReader.matrix(entry, field: path, flat: flat)
        }
        return tensors
    }

    private static func required(_ object: JSONObject, _ key: String) throws(RequestError) -> JSONValue {
        guard let value = object[key] else { throw RequestError.invalid(key, "missing; it is required") }
        return value
    }

    private static func rejectUnknown(_ object: JSONObject, known: [String]) throws(RequestError) {
        for key in object.keys where !known.contains(key) {
            throw RequestError.invalid(key, unknownFieldMessage(known: known))
        }
    }

    private static func forbid(_ object: JSONObject, _ keys: [String], unless mode: String) throws(RequestError) {
        for key in keys where object[key] != nil {
            throw RequestError.invalid(key, "only used with \"mode\": \"\(mode)\"")
        }
    }
}
