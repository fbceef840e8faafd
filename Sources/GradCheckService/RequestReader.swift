import GradCheck
import JSON

/// Reads a request body into a `ServiceRequest`: JSON syntax first (400), then every field (422).
///
/// A network body has `X`/`parameters`, a scalar body `x`/`theta`; a body with both kinds is
/// refused rather than guessed. Unknown fields are refused too, so a typo such as `epsilion`
/// does not silently fall back to a default.
public enum RequestReader {
    /// `memory` is asked for the bytes the JSON tree grows to (see `JSONReader.MemoryAllowance`).
    public static func read(
        _ body: [UInt8], maxDepth: Int = JSONReader.defaultMaxDepth,
        memory: JSONReader.MemoryAllowance? = nil
    ) throws(RequestError) -> ServiceRequest {
        let value: JSONValue
        do {
            value = try JSONReader.parse(
                body, maxDepth: maxDepth, topLevelKeyCheck: refuseUnknownKey, memory: memory, packsNumbers: true)
        } catch {
            throw RequestError(error)
        }
        return try read(value)
    }

    public static func read(_ body: UnsafeRawBufferPointer, maxDepth: Int = JSONReader.defaultMaxDepth) throws(RequestError)
        -> ServiceRequest
    {
        let value: JSONValue
        do { value = try JSONReader.parse(body, maxDepth: maxDepth, topLevelKeyCheck: refuseUnknownKey, packsNumbers: true) } catch {
            throw RequestError(error)
        }
        return try read(value)
    }

    /// A key neither body kind knows is refused while the body is read, before its value is
    /// parsed (the same message `rejectUnknown` gives afterwards).
    static func refuseUnknownKey(_ key: String, earlierMembers: [(key: String, value: JSONValue)]) -> String? {
        if RequestField(rawValue: key) != nil { return nil }
        let scalar = earlierMembers.contains { member in RequestField.scalarMarkers.contains { $0.rawValue == member.key } }
        return unknownFieldMessage(known: scalar ? RequestField.scalar : RequestField.network)
    }

    static func unknownFieldMessage(known: [RequestField]) -> String {
        "unknown field; expected one of \(RequestField.names(known))"
    }

    public static func read(_ value: JSONValue) throws(RequestError) -> ServiceRequest {
        guard case .object(let object) = value else {
            throw RequestError.invalidBody(
                "the body is \(value.typeDescription); expected a JSON object with X, Y and parameters (or x and theta)")
        }
        // A network of layers has X too: its `layers` decides first.
        if object[RequestField.layerNetworkMarker] != nil { return .layerNetwork(try layerNetwork(object)) }
        if object[RequestField.layerMarker] != nil { return .layer(try layerCheck(object)) }
        let isNetwork = RequestField.networkMarkers.contains { object[$0] != nil }
        let isScalar = RequestField.scalarMarkers.contains { object[$0] != nil }
        if isNetwork && isScalar {
            throw RequestError.invalidBody(
                "the body mixes network fields (\(RequestField.names(RequestField.networkMarkers))) with scalar fields (\(RequestField.names(RequestField.scalarMarkers))); send one kind"
            )
        }
        if isScalar { return .scalar(try scalar(object)) }
        if isNetwork { return .network(try network(object)) }
        throw RequestError.invalidBody(
            "expected a network body (X, Y, parameters), a layer check (layer, inputs), a network of layers (X, y, layers, loss) or a scalar body (x, theta); got keys: "
                + (object.keys.isEmpty ? "none" : object.keys.joined(separator: ", ")))
    }

    static func network(_ object: JSONObject) throws(RequestError) -> NetworkRequest {
        try rejectUnknown(object, known: RequestField.network)
        let x = try MatrixReader.matrix(try required(object, .inputs), field: RequestField.inputs.rawValue, flat: .rejected)
        let y = try MatrixReader.matrix(try required(object, .labels), field: RequestField.labels.rawValue, flat: .row)
        let parameters = try Self.parameters(try required(object, .parameters))
        let gradients = try object[.gradients].map { (v) throws(RequestError) in try Self.gradients(v) }
        let method = try FieldReader.choice(object, .method, DifferenceMethod.self, default: RequestDefaults.method)
        let output = try FieldReader.choice(object, .output, OutputLayer.self, default: RequestDefaults.output)
        var request = NetworkRequest(
            x: x, y: y, parameters: parameters,
            activation: try FieldReader.choice(object, .activation, Activation.self, default: RequestDefaults.activation),
            output: output,
            lambd: try FieldReader.number(object, .lambd, default: RequestDefaults.lambd, atLeast: 0),
            gradients: gradients,
            epsilon: try FieldReader.number(object, .epsilon, default: RequestDefaults.epsilon(for: method), above: 0),
            threshold: try FieldReader.number(object, .threshold, default: RequestDefaults.threshold, above: 0),
            method: method,
            mode: try mode(object))
        request.precision = try FieldReader.choice(object, .dtype, Precision.self, default: RequestDefaults.precision)
        request.only = try only(object)
        request.shard = try shard(object)
        if request.shard != nil && request.mode != .full {
            throw RequestError.invalid(
                .shard, "only used with \"mode\": \"full\" (a sample or directional check is cheap enough for one replica)")
        }
        return request
    }

    /// `shard`: `{"index": i, "count": n}`, 0 <= i < n <= `ShardSpec.maxCount`.
    static func shard(_ object: JSONObject) throws(RequestError) -> ShardSpec? {
        guard let value = object[.shard] else { return nil }
        guard case .object(let shard) = value else {
            throw RequestError.invalid(.shard, "expected {\"index\": i, \"count\": n}, got \(value.typeDescription)")
        }
        for key in shard.keys where ShardField(rawValue: key) == nil {
            throw RequestError.invalid(
                "\(RequestField.shard.rawValue).\(key)",
                "unknown field; expected \(ShardField.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let indexValue = shard[ShardField.index.rawValue], let countValue = shard[ShardField.count.rawValue] else {
            throw RequestError.invalid(.shard, "expected both index and count, e.g. {\"index\": 0, \"count\": 3}")
        }
        let count: Int
        let index: Int
        do throws(RequestError) {
            count = try FieldReader.integer(countValue, key: ShardField.count.rawValue, in: 1...ShardSpec.maxCount)
            index = try FieldReader.integer(indexValue, key: ShardField.index.rawValue, in: 0...(count - 1))
        } catch {
            throw RequestError.invalid(.shard, error.detail)
        }
        return ShardSpec(index: index, count: count)
    }

    /// `only`: a non-empty list of tensor names or patterns (`W2`, `b*`).
    static func only(_ object: JSONObject) throws(RequestError) -> [String]? {
        guard let value = object[.only] else { return nil }
        guard let items = value.arrayElements, !items.isEmpty else {
            throw RequestError.invalid(.only, "expected a non-empty list of tensor names or patterns, e.g. [\"W2\", \"b*\"]")
        }
        let most = GradientCheckOptions.maxOnlyPatterns
        guard items.count <= most else {
            throw RequestError.invalid(
                .only,
                "at most \(most) tensor names or patterns, got \(items.count); a pattern such as \"W*\" or \"*\" selects many tensors at once"
            )
        }
        var patterns: [String] = []
        for item in items {
            guard case .string(let pattern) = item, !pattern.isEmpty, pattern.utf8.count <= GradientCheckOptions.maxOnlyPatternBytes
            else {
                throw RequestError.invalid(
                    .only,
                    "every entry must be a tensor name or pattern (a string of 1 to \(GradientCheckOptions.maxOnlyPatternBytes) characters), e.g. \"W2\" or \"b*\""
                )
            }
            patterns.append(pattern)
        }
        return patterns
    }

    static func scalar(_ object: JSONObject) throws(RequestError) -> ScalarRequest {
        try rejectUnknown(object, known: RequestField.scalar)
        let method = try FieldReader.choice(object, .method, DifferenceMethod.self, default: RequestDefaults.method)
        let dtheta: Double? = object[.dtheta] == nil ? nil : try FieldReader.number(object, .dtheta, default: 0)
        return ScalarRequest(
            x: try FieldReader.number(object, .x, default: nil),
            theta: try FieldReader.number(object, .theta, default: nil),
            dtheta: dtheta,
            epsilon: try FieldReader.number(object, .epsilon, default: RequestDefaults.epsilon(for: method), above: 0),
            threshold: try FieldReader.number(object, .threshold, default: RequestDefaults.threshold, above: 0),
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
            .epsilon, "must be in \(range.lowerBound)...\(range.upperBound) for \(method.rawValue), got \(value): \(why)")
    }

    /// Labels the loss is defined for (checked once the shapes are known to fit, so a wrong
    /// shape is reported as such first): binary cross-entropy needs Y in [0, 1]; softmax
    /// cross-entropy needs each column to be a distribution (non-negative, summing to 1).
    static func checkLabels(_ y: Matrix, output: OutputLayer) throws(RequestError) {
        switch output {
        case .sigmoid:
            if let bad = y.values.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
                throw RequestError.invalid(
                    .labels,
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
                            .labels,
                            "label \(value) at row \(r + 1), column \(c + 1) is negative; each softmax label column must be a distribution (one-hot, or non-negative summing to 1)"
                        )
                    }
                    sum += value
                }
                if abs(sum - 1) > RequestDefaults.labelSumTolerance {
                    throw RequestError.invalid(
                        .labels,
                        "column \(c + 1) sums to \(sum), not 1; each softmax label column must be a distribution (one-hot, or non-negative summing to 1)"
                    )
                }
            }
        }
    }

    static func mode(_ object: JSONObject) throws(RequestError) -> GradientCheckOptions.Mode {
        let kind = try FieldReader.choice(object, .mode, GradientCheckOptions.Mode.Kind.self, default: RequestDefaults.mode)
        let seed = UInt64(try FieldReader.integer(object, .seed, default: Int(RequestDefaults.seed), in: 0...(1 << 53)))
        switch kind {
        case .full:
            try forbid(object, [.samples, .directions, .seed], unless: [.sample, .directional])
            return .full
        case .sample:
            try forbid(object, [.directions], unless: [.directional])
            return .sample(
                count: try FieldReader.integer(object, .samples, default: RequestDefaults.samples, in: 1...RequestDefaults.maxCount),
                seed: seed)
        case .directional:
            try forbid(object, [.samples], unless: [.sample])
            return .directional(
                count: try FieldReader.integer(object, .directions, default: RequestDefaults.directions, in: 1...RequestDefaults.maxCount),
                seed: seed)
        }
    }

    /// `parameters`: W1, b1, ... (a bias may be a flat list: one column).
    static func parameters(_ value: JSONValue) throws(RequestError) -> [ParameterID: Matrix] {
        try tensors(value, field: .parameters, prefix: "", alsoAccepted: "") { key in
            ParameterID(name: key).map { ($0, $0.kind == .bias ? .column : .rejected) }
        }
    }

    /// `gradients`: dW1, db1, ..., and the rest of the dict `backward_propagation_n` returns,
    /// dZ_l and dA_l (a flat db is one column, a flat dZ or dA one row).
    static func gradients(_ value: JSONValue) throws(RequestError) -> [GradientName: Matrix] {
        try tensors(
            value, field: .gradients, prefix: "d",
            alsoAccepted: ", and any of dZ1 ... dZL, dA0 ... dA(L-1) (dAL for a sigmoid output)"
        ) { key in
            GradientName(key).map { ($0, $0.kind == .bias ? .column : $0.isIntermediate ? .row : .rejected) }
        }
    }

    /// An object of matrices whose keys `name` reads (and says how a flat list is read there);
    /// any other key is refused as soon as it is seen. `prefix` is "d" for gradients.
    private static func tensors<Key: Hashable>(
        _ value: JSONValue, field: RequestField, prefix: String, alsoAccepted: String,
        name: (String) -> (Key, MatrixReader.FlatList)?
    ) throws(RequestError) -> [Key: Matrix] {
        guard case .object(let object) = value else {
            throw RequestError.invalid(
                field, "expected an object of matrices (\(prefix)W1, \(prefix)b1, ...), got \(value.typeDescription)")
        }
        // The wording of errors is made only for an error: a request has no use for it.
        func layers() -> String { "\(prefix)W1, \(prefix)b1, ..., \(prefix)WL, \(prefix)bL" }
        if object.members.isEmpty { throw RequestError.invalid(field, "empty object; expected \(layers())") }
        var tensors: [Key: Matrix] = [:]
        tensors.reserveCapacity(object.members.count)
        for (key, entry) in object.members {
            guard let (name, flat) = name(key) else {
                throw RequestError.invalid(
                    "\(field.rawValue).\(key)", "unknown key; expected \(layers()) (layers count from 1)\(alsoAccepted)")
            }
            tensors[name] = try MatrixReader.matrix(entry, field: "\(field.rawValue).\(key)", flat: flat)
        }
        return tensors
    }

    static func required(_ object: JSONObject, _ field: RequestField) throws(RequestError) -> JSONValue {
        guard let value = object[field] else { throw RequestError.invalid(field, "missing; it is required") }
        return value
    }

    static func rejectUnknown(_ object: JSONObject, known: [RequestField]) throws(RequestError) {
        for key in object.keys where !known.contains(where: { $0.rawValue == key }) {
            throw RequestError.invalid(key, unknownFieldMessage(known: known))
        }
    }

    /// Refuses the count and seed fields of modes other than the one asked for:
    /// `samples: only used with "mode": "sample"`.
    private static func forbid(
        _ object: JSONObject, _ fields: [RequestField], unless modes: [GradientCheckOptions.Mode.Kind]
    ) throws(RequestError) {
        // The wording is made only for an error: every network body passes through here.
        for field in fields where object[field] != nil {
            let names = modes.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
            throw RequestError.invalid(field, "only used with \"mode\": \(names)")
        }
    }
}
