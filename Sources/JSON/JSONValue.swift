/// A parsed JSON document. Objects keep their members in document order, so error messages and
/// re-encoded output follow what the client sent.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// A non-empty array whose elements are all numbers, packed: what `JSONReader` makes of a
    /// matrix row when asked to (`packsNumbers`), one allocation of doubles instead of a value
    /// per element. It equals and writes as the same `.array` of `.number`s.
    case numbers([Double])
    /// A non-empty array of rows that would each be `.numbers`, all of one length, packed row
    /// after row: what `JSONReader` makes of a matrix when asked to (`packsNumbers`), one
    /// allocation for the whole matrix instead of one per row. It equals and writes as the same
    /// `.array` of `.numbers` rows.
    case matrix(JSONMatrix)
    case object(JSONObject)

    /// A short name for the value's type, for error messages: "a string", "an array", ...
    public var typeDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array, .numbers, .matrix: return "an array"
        case .object: return "an object"
        }
    }

    /// Whether the value is an array, packed or not.
    public var isArray: Bool {
        switch self {
        case .array, .numbers, .matrix: return true
        default: return false
        }
    }

    /// The elements of an array, packed or not (a packed one unpacked); nil for any other value.
    public var arrayElements: [JSONValue]? {
        switch self {
        case .array(let elements): return elements
        case .numbers(let numbers): return numbers.map { .number($0) }
        case .matrix(let matrix): return matrix.rowValues
        default: return nil
        }
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.numbers(let a), .numbers(let b)): return a == b
        case (.numbers(let a), .array(let b)), (.array(let b), .numbers(let a)):
            return a.count == b.count
                && zip(a, b).allSatisfy { number, value in
                    if case .number(let other) = value { return number == other }
                    return false
                }
        case (.matrix(let a), .matrix(let b)): return a == b
        // A packed matrix equals the array of packed rows it was read from (and so, by the case
        // above, their unpacked numbers).
        case (.matrix(let a), .array), (.array, .matrix(let a)):
            let other = if case .matrix = lhs { rhs } else { lhs }
            guard let elements = other.arrayElements, elements.count == a.rows else { return false }
            return zip(a.rowValues, elements).allSatisfy { $0 == $1 }
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }
}

/// An array of `rows` arrays of `columns` numbers each, row-major in one allocation; never
/// empty (at least one row of at least one number).
public struct JSONMatrix: Sendable, Equatable {
    /// Two words, so that `JSONValue` stays as small as its largest other payload (a `String`):
    /// the row count is `values.count / columns`.
    public let columns: Int
    public let values: [Double]

    public init(columns: Int, values: [Double]) {
        precondition(columns > 0 && !values.isEmpty && values.count % columns == 0, "a JSONMatrix holds whole, non-empty rows")
        self.columns = columns
        self.values = values
    }

    public var rows: Int { values.count / columns }

    /// The rows as the packed rows an array of them would hold.
    public var rowValues: [JSONValue] {
        (0..<rows).map { .numbers(Array(values[($0 * columns)..<(($0 + 1) * columns)])) }
    }
}

/// A JSON object: members in document order, keys unique (the reader rejects duplicates).
public struct JSONObject: Sendable, Equatable {
    public var members: [(key: String, value: JSONValue)]

    public init(_ members: [(key: String, value: JSONValue)] = []) {
        self.members = members
    }

    public var keys: [String] { members.map(\.key) }

    /// The value for `key`; linear, which beats hashing for the handful of keys a request has.
    public subscript(key: String) -> JSONValue? {
        for member in members where member.key == key { return member.value }
        return nil
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}
