/// A number that JSON cannot carry (NaN or an infinity) was about to be written.
public struct JSONWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The object key the number was written under (the innermost one), if any.
    public let key: String?
    public let value: Double

    public var description: String {
        "non-finite number \(value) " + (key.map { "in \"\($0)\"" } ?? "in the output")
    }
}

/// Writes compact JSON into a byte buffer, with no intermediate `JSONValue` needed.
///
/// Numbers use Swift's `Double.description`, the shortest text that round-trips, except that
/// integral values below 1e15 are written as integers (`8`, not `8.0`), so counts, statuses and
/// the notebook's `{"J": 8}` read naturally; both forms parse to the same double. JSON has no NaN or Infinity, so
/// writing one throws: the service must answer an error instead of invalid JSON.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false
    private var lastKey: String?

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// `value` as compact JSON bytes.
    public static func encode(_ value: JSONValue) throws(JSONWriteError) -> [UInt8] {
        var writer = JSONWriter()
        try writer.write(value)
        return writer.bytes
    }

    public mutating func write(_ value: JSONValue) throws(JSONWriteError) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .number(let number): try self.number(number)
        case .string(let text): string(text)
        case .array(let elements):
            beginArray()
            for element in elements { try write(element) }
            endArray()
        case .numbers(let numbers):
            beginArray()
            for number in numbers { try self.number(number) }
            endArray()
        case .matrix(let matrix):
            beginArray()
            for row in 0..<matrix.rows {
                beginArray()
                for number in matrix.values[(row * matrix.columns)..<((row + 1) * matrix.columns)] { try self.number(number) }
                endArray()
            }
            endArray()
        case .object(let object):
            beginObject()
            for member in object.members {
                key(member.key)
                try write(member.value)
            }
            endObject()
        }
    }

    public mutating func beginObject() { open("{") }
    public mutating func endObject() { close("}") }
    public mutating func beginArray() { open("[") }
    public mutating func endArray() { close("]") }

    /// A container starts: a comma before it if a value came before, none before its first value.
    private mutating func open(_ bracket: Unicode.Scalar) {
        separate()
        bytes.append(UInt8(ascii: bracket))
        needsComma = false
    }

    /// A container ends, and counts as a value of the one around it.
    private mutating func close(_ bracket: Unicode.Scalar) {
        bytes.append(UInt8(ascii: bracket))
        needsComma = true
    }

    /// An object key; the next call writes its value.
    public mutating func key(_ name: String) {
        string(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
        lastKey = name
    }

    public mutating func number(_ value: Double) throws(JSONWriteError) {
        guard value.isFinite else { throw JSONWriteError(key: lastKey, value: value) }
        separate()
        if value.rounded(.towardZero) == value, abs(value) < 0x1p63, !(value == 0 && value.sign == .minus) {
            // Integral and within Int64: its exact digits (2^53 is 9007199254740992, not ...2.0).
            bytes.append(contentsOf: String(Int64(value)).utf8)
        } else {
            // Shortest round-trip form; integral values beyond Int64 come out as 1e+300, which is
            // an integer in JSON too: never a trailing ".0".
            var text = value.description
            if abs(value) >= 0x1p63 && text.hasSuffix(".0") { text.removeLast(2) }
            bytes.append(contentsOf: text.utf8)
        }
        needsComma = true
    }

    public mutating func integer(_ value: Int) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
        needsComma = true
    }

    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
        needsComma = true
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
        needsComma = true
    }

    public mutating func string(_ text: String) {
        separate()
        JSONText.appendString(text, to: &bytes)
        needsComma = true
    }

    // One object member per call: `key` then its value, for the members whose value is one scalar.

    public mutating func member(_ name: String, string value: String) {
        key(name)
        string(value)
    }

    public mutating func member(_ name: String, integer value: Int) {
        key(name)
        integer(value)
    }

    public mutating func member(_ name: String, bool value: Bool) {
        key(name)
        bool(value)
    }

    public mutating func member(_ name: String, number value: Double) throws(JSONWriteError) {
        key(name)
        try number(value)
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }
}
