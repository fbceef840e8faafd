import JSON

/// Reads one scalar field of a request object with its type and range checks, so every message
/// has the same form: `field: what is wrong; what is expected`.
enum FieldReader {
    /// A number; `default: nil` makes the field required. `above` is an exclusive lower bound,
    /// `atLeast` an inclusive one. Numbers are finite already (the JSON reader refuses others).
    static func number(
        _ object: JSONObject, _ field: RequestField, default fallback: Double?,
        above: Double? = nil, atLeast: Double? = nil
    ) throws(RequestError) -> Double {
        let key = field.rawValue
        guard let value = object[key] else {
            guard let fallback else { throw RequestError.invalid(key, "missing; it is required") }
            return fallback
        }
        guard case .number(let number) = value else {
            throw RequestError.invalid(key, "expected a number, got \(value.typeDescription)")
        }
        if let above, !(number > above) { throw RequestError.invalid(key, "must be > \(format(above)), got \(format(number))") }
        if let atLeast, !(number >= atLeast) { throw RequestError.invalid(key, "must be >= \(format(atLeast)), got \(format(number))") }
        return number
    }

    /// A whole number in `range` (JSON has one number type: 5 and 5.0 are both accepted).
    static func integer(_ object: JSONObject, _ field: RequestField, default fallback: Int, in range: ClosedRange<Int>) throws(RequestError)
        -> Int
    {
        guard let value = object[field] else { return fallback }
        return try integer(value, key: field.rawValue, in: range)
    }

    /// The same check on a value already found, named `key` in messages (`shard`'s members).
    static func integer(_ value: JSONValue, key: String, in range: ClosedRange<Int>) throws(RequestError) -> Int {
        guard case .number(let number) = value else {
            throw RequestError.invalid(key, "expected a whole number, got \(value.typeDescription)")
        }
        guard number.rounded(.towardZero) == number, number >= Double(range.lowerBound), number <= Double(range.upperBound) else {
            throw RequestError.invalid(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound), got \(format(number))")
        }
        return Int(number)
    }

    static func string(_ object: JSONObject, _ field: RequestField) throws(RequestError) -> String? {
        guard let value = object[field] else { return nil }
        guard case .string(let text) = value else {
            throw RequestError.invalid(field, "expected a string, got \(value.typeDescription)")
        }
        return text
    }

    /// One of an enum's raw values: `activation: unknown "gelu"; expected relu, tanh, sigmoid, leaky_relu`.
    static func choice<Choice: RawRepresentable & CaseIterable>(
        _ object: JSONObject, _ field: RequestField, _ type: Choice.Type, default fallback: Choice
    ) throws(RequestError) -> Choice where Choice.RawValue == String {
        guard let name = try string(object, field) else { return fallback }
        guard let choice = Choice(rawValue: name) else {
            let expected = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw RequestError.invalid(field, "unknown \"\(name)\"; expected \(expected)")
        }
        return choice
    }

    static func format(_ number: Double) -> String {
        var writer = JSONWriter()
        try? writer.number(number)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
