/// Why a body is not a JSON document we accept, and where (byte offset from the start).
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Not RFC 8259 JSON: bad syntax, invalid UTF-8, trailing garbage, NaN/Infinity literals.
        case syntax
        /// Nested deeper than the reader's limit.
        case tooDeep
        /// Valid JSON syntax, but a number beyond the range of a 64-bit float (e.g. `1e999`).
        case numberOutOfRange
    }

    public let kind: Kind
    public let offset: Int
    public let message: String

    public init(_ kind: Kind, offset: Int, message: String) {
        self.kind = kind
        self.offset = offset
        self.message = message
    }

    public var description: String { "at byte \(offset): \(message)" }
}
