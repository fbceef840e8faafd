import GradCheck
import JSON

/// Reads the body of `POST /gradcheck/merge`: `{"shards": [partial answers of /gradcheck]}`.
/// Every field of every partial is checked (422 naming its path, e.g.
/// `shards[2].parameters.W1.sums.products`); whether the shards belong together is the core's
/// `GradientChecker.merge` to say.
enum MergeReader {
    /// Most shards one merge takes (`ShardSpec.maxCount`).
    /// `shouldStop` is polled every `pollEvery` tensors read: nil is returned when it said so.
    static func read(_ value: JSONValue, shouldStop: () -> Bool = { false }) throws(RequestError) -> [ShardPartial]? {
        guard case .object(let body) = value else {
            throw RequestError.invalidBody(
                "the body is \(value.typeDescription); expected {\"shards\": [the partial answers of /gradcheck with \"shard\"]}")
        }
        try known(body, ["shards"], path: "")
        guard case .array(let items)? = body["shards"] else {
            throw RequestError.invalid("shards", body["shards"] == nil ? "missing; it is required" : "expected a list of partial answers")
        }
        guard !items.isEmpty, items.count <= ShardSpec.maxCount else {
            throw RequestError.invalid("shards", "expected 1 to \(ShardSpec.maxCount) partial answers, got \(items.count)")
        }
        var partials: [ShardPartial] = []
        var read = 0
        for (i, item) in items.enumerated() {
            guard let partial = try partial(item, path: "shards[\(i)]", read: &read, shouldStop: shouldStop) else { return nil }
            partials.append(partial)
        }
        return partials
    }

    static let partialFields = [
        "partial", "shard", "fingerprint", "epsilon", "threshold", "method", "method_used", "dtype",
        "checked", "cost_evaluations", "seconds", "float32_gradients", "notes_before", "notes_after", "parameters",
        "signature",
    ]

    /// Tensors read between two polls of `shouldStop`.
    static let pollEvery = 1024

    private static func partial(
        _ value: JSONValue, path: String, read: inout Int, shouldStop: () -> Bool
    ) throws(RequestError) -> ShardPartial? {
        let o = try object(value, path)
        try known(o, partialFields, path: path)
        guard case .bool(true)? = o["partial"] else {
            throw RequestError.invalid(
                path, "not a partial answer (no \"partial\": true): send what /gradcheck answers to a request with \"shard\"")
        }
        let shardObject = try object(try field(o, "shard", path), "\(path).shard")
        try known(shardObject, ["index", "count"], path: "\(path).shard")
        let count = try integer(shardObject, "count", "\(path).shard", in: 1...ShardSpec.maxCount)
        let index = try integer(shardObject, "index", "\(path).shard", in: 0...(ShardSpec.maxCount - 1))
        let names = try object(try field(o, "parameters", path), "\(path).parameters")
        // Keys in any order (a client may have re-serialised the answer): W1, b1, W2, ... order.
        var tensors: [TensorPartial] = []
        var seen = Set<ParameterID>()  // a set, not a scan: linear in the tensors
        for (name, entry) in names.members {
            read += 1
            if read % pollEvery == 0 && shouldStop() { return nil }
            guard let id = ParameterID(name: name) else {
                throw RequestError.invalid("\(path).parameters.\(name)", "unknown tensor; expected W1, b1, ...")
            }
            guard seen.insert(id).inserted else {
                throw RequestError.invalid("\(path).parameters.\(name)", "given more than once")
            }
            tensors.append(try tensor(entry, id: id, path: "\(path).parameters.\(name)"))
        }
        tensors.sort { $0.gradient.parameter! < $1.gradient.parameter! }
        var partial = ShardPartial(
            shard: ShardSpec(index: index, count: count),
            epsilon: try number(o, "epsilon", path), threshold: try number(o, "threshold", path),
            method: try choice(o, "method", path), methodUsed: try choice(o, "method_used", path),
            precision: try choice(o, "dtype", path), tensors: tensors)
        partial.fingerprint = try string(o, "fingerprint", path)
        partial.costEvaluations = try integer(o, "cost_evaluations", path, in: 0...Int(1 << 53))
        partial.elapsedSeconds = try number(o, "seconds", path)
        guard case .bool(let f32)? = o["float32_gradients"] else {
            throw RequestError.invalid("\(path).float32_gradients", "expected true or false")
        }
        partial.float32Gradients = f32
        if let signature = o["signature"] {
            guard case .string(let text) = signature else { throw RequestError.invalid("\(path).signature", "expected a string") }
            partial.signature = text
        }
        partial.leadingNotes = try strings(o, "notes_before", path)
        partial.trailingNotes = try strings(o, "notes_after", path)
        return partial
    }

    private static func tensor(_ value: JSONValue, id: ParameterID, path: String) throws(RequestError) -> TensorPartial {
        let o = try object(value, path)
        try known(
            o, ["checked", "compared", "sums", "worst", "max_relative_error", "excess_relative_error", "distinguishable", "kinks"],
            path: path)
        var t = TensorPartial(gradient: GradientName(id))
        t.checkedCount = try integer(o, "checked", path, in: 0...Int(1 << 53))
        t.comparedCount = try integer(o, "compared", path, in: 0...t.checkedCount)
        let sums = try object(try field(o, "sums", path), "\(path).sums")
        try known(sums, ShardEncoder.sumNames, path: "\(path).sums")
        var parsed: [ScaledSum] = []
        for name in ShardEncoder.sumNames {
            let at = "\(path).sums.\(name)"
            guard case .array(let parts)? = sums[name], parts.count == 3, case .number(let scale) = parts[0],
                case .number(let s) = parts[1], case .number(let c) = parts[2],
                scale == 0 || (scale > 0 && scale.isFinite && scale.significand == 1)
            else {
                throw RequestError.invalid(at, "expected [scale, sum, compensation]: three numbers, the scale 0 or a power of two")
            }
            parsed.append(ScaledSum(scale: scale, sum: CompensatedSum(sum: s, compensation: c)))
        }
        (t.analyticSquares, t.numericSquares, t.differenceSquares, t.products, t.floorErrorSquares) = (
            parsed[0], parsed[1], parsed[2], parsed[3], parsed[4]
        )
        switch try field(o, "worst", path) {
        case .null: t.worst = nil
        case .object(let w):
            let at = "\(path).worst"
            try known(w, ["row", "col", "analytic", "numeric"], path: at)
            t.worst = WorstEntry(
                index: EntryIndex(
                    row: try integer(w, "row", at, in: 0...Int(1 << 53)),
                    col: try integer(w, "col", at, in: 0...Int(1 << 53))),
                analytic: try number(w, "analytic", at), numeric: try number(w, "numeric", at))
        default: throw RequestError.invalid("\(path).worst", "expected an object or null")
        }
        t.maxRelativeError = try number(o, "max_relative_error", path)
        t.excessRelativeError = try number(o, "excess_relative_error", path)
        t.distinguishableCount = try integer(o, "distinguishable", path, in: 0...t.comparedCount)
        let kinks = try object(try field(o, "kinks", path), "\(path).kinks")
        try known(kinks, ["count", "subgradient_checked", "examples"], path: "\(path).kinks")
        t.kinkCount = try integer(kinks, "count", "\(path).kinks", in: 0...t.checkedCount)
        t.subgradientCount = try integer(kinks, "subgradient_checked", "\(path).kinks", in: 0...t.kinkCount)
        guard case .array(let examples)? = kinks["examples"], examples.count <= TensorPartial.kinkExamplesShown else {
            throw RequestError.invalid(
                "\(path).kinks.examples", "expected a list of at most \(TensorPartial.kinkExamplesShown) [row, col] pairs")
        }
        for example in examples {
            guard case .array(let pair) = example, pair.count == 2, case .number(let r) = pair[0], case .number(let c) = pair[1],
                r >= 0, c >= 0, r < 0x1p53, c < 0x1p53, r.rounded() == r, c.rounded() == c
            else {
                throw RequestError.invalid("\(path).kinks.examples", "expected [row, col] pairs of whole numbers")
            }
            t.kinkExamples.append(EntryIndex(row: Int(r), col: Int(c)))
        }
        return t
    }

    // MARK: field helpers (every message names the full path)

    private static func object(_ value: JSONValue, _ path: String) throws(RequestError) -> JSONObject {
        guard case .object(let o) = value else { throw RequestError.invalid(path, "expected an object, got \(value.typeDescription)") }
        return o
    }

    private static func field(_ o: JSONObject, _ key: String, _ path: String) throws(RequestError) -> JSONValue {
        guard let value = o[key] else { throw RequestError.invalid(join(path, key), "missing; it is required") }
        return value
    }

    private static func known(_ o: JSONObject, _ keys: [String], path: String) throws(RequestError) {
        for key in o.keys where !keys.contains(key) {
            throw RequestError.invalid(join(path, key), "unknown field; expected one of \(keys.joined(separator: ", "))")
        }
    }

    private static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private static func number(_ o: JSONObject, _ key: String, _ path: String) throws(RequestError) -> Double {
        guard case .number(let n) = try field(o, key, path) else { throw RequestError.invalid(join(path, key), "expected a number") }
        return n
    }

    private static func integer(_ o: JSONObject, _ key: String, _ path: String, in range: ClosedRange<Int>) throws(RequestError) -> Int {
        let n = try number(o, key, path)
        guard n.rounded(.towardZero) == n, n >= Double(range.lowerBound), n <= Double(range.upperBound) else {
            throw RequestError.invalid(join(path, key), "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return Int(n)
    }

    private static func string(_ o: JSONObject, _ key: String, _ path: String) throws(RequestError) -> String {
        guard case .string(let s) = try field(o, key, path) else { throw RequestError.invalid(join(path, key), "expected a string") }
        return s
    }

    private static func strings(_ o: JSONObject, _ key: String, _ path: String) throws(RequestError) -> [String] {
        guard case .array(let items) = try field(o, key, path) else {
            throw RequestError.invalid(join(path, key), "expected a list of strings")
        }
        var list: [String] = []
        for item in items {
            guard case .string(let s) = item else { throw RequestError.invalid(join(path, key), "expected a list of strings") }
            list.append(s)
        }
        return list
    }

    private static func choice<Choice: RawRepresentable & CaseIterable>(_ o: JSONObject, _ key: String, _ path: String) throws(RequestError)
        -> Choice
    where Choice.RawValue == String {
        let name = try string(o, key, path)
        guard let value = Choice(rawValue: name) else {
            throw RequestError.invalid(
                join(path, key), "unknown \"\(name)\"; expected \(Choice.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}
