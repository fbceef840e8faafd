/// Why a body is not a JSON document we accept, and where (byte offset from the start).
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Not RFC 8259 JSON: bad syntax, invalid UTF-8, trailing garbage, NaN/Infinity literals.
        case syntax
        /// Nested deeper than the reader's limit.
        case tooDeep
        /// Valid JSON syntax, but a number beyond the range of a 64-bit float (e.g. `1e999`).
        case numberOutOfRange
        /// The tree would need more memory than the caller's `MemoryAllowance` gives.
        case overMemory
        /// A top-level key the caller's key check refused as soon as it was read, before its
        /// value was parsed (`path` is the key, `message` the caller's reason).
        case rejectedKey
    }

    public let kind: Kind
    public let offset: Int
    public let message: String
    /// Where in the document the number was, `parameters.W1[2][3]`, for out-of-range numbers
    /// (they are valid JSON, so the client wants the field, not just a byte offset).
    public private(set) var path: String?

    public init(_ kind: Kind, offset: Int, message: String, path: String? = nil) {
        self.kind = kind
        self.offset = offset
        self.message = message
        self.path = path
    }

    public var description: String { "at byte \(offset): \(message)" }

    /// The same error one level further out: inside member `key` of an object.
    func inside(key: String) -> JSONParseError {
        guard kind == .numberOutOfRange else { return self }
        var outer = self
        outer.path = path.map { $0.hasPrefix("[") ? key + $0 : key + "." + $0 } ?? key
        return outer
    }

    /// The same error one level further out: inside element `index` of an array.
    func inside(index: Int) -> JSONParseError {
        guard kind == .numberOutOfRange else { return self }
        var outer = self
        outer.path = "[\(index)]" + (path.map { $0.hasPrefix("[") ? $0 : "." + $0 } ?? "")
        return outer
    }
}
