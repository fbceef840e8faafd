import HTTPServer
import JSON

/// A request the service will not compute, with the HTTP status and a detail naming the field.
///
/// Statuses: 400 when the body is not JSON we can read (syntax, invalid UTF-8, trailing garbage,
/// NaN/Infinity literals, nesting too deep, empty body); 422 when it is JSON but a field is
/// missing, has the wrong type, is ragged, out of range or unknown. Shape mismatches between
/// tensors (found by the core's NetworkBuilder) are 422 as well.
public struct RequestError: Error, Sendable, Equatable, CustomStringConvertible {
    public static let malformedJSON = 400
    public static let invalidField = 422

    public let status: Int
    /// The human-readable explanation, starting with the field path when there is one:
    /// `parameters.W2: row 3 has 4 entries, row 1 has 5`.
    public let detail: String
    /// The offending field path (`parameters.W2`, `epsilon`), when one field is to blame.
    public let field: String?
    /// The byte offset in the body, for JSON syntax errors.
    public let offset: Int?

    public init(status: Int, detail: String, field: String? = nil, offset: Int? = nil) {
        self.status = status
        self.detail = detail
        self.field = field
        self.offset = offset
    }

    /// A 422 about one field: the detail reads `field: message`.
    public static func invalid(_ field: String, _ message: String) -> RequestError {
        RequestError(status: invalidField, detail: "\(field): \(message)", field: field)
    }

    /// A 422 about the body as a whole (no single field to blame).
    public static func invalidBody(_ message: String) -> RequestError {
        RequestError(status: invalidField, detail: message)
    }

    /// Maps a JSON reader error: syntax and depth are 400, an out-of-range number is 422.
    public init(_ error: JSONParseError) {
        if error.kind == .overMemory {
            // Normally replaced by the memory budget's own answer (see `MemoryHold`).
            self.init(status: 503, detail: error.message)
        } else if error.kind == .rejectedKey, let key = error.path {
            self.init(status: RequestError.invalidField, detail: "\(key): \(error.message)", field: key)
        } else if error.kind == .numberOutOfRange {
            let field = error.path
            self.init(
                status: RequestError.invalidField, detail: (field.map { "\($0): " } ?? "") + error.description,
                field: field, offset: error.offset)
        } else {
            self.init(status: RequestError.malformedJSON, detail: "malformed JSON " + error.description, offset: error.offset)
        }
    }

    public var description: String { "\(status) \(detail)" }

    /// The RFC 9457 body for this error, with `field` and `offset` as extension members.
    public var problem: ProblemDocument {
        var extensions: [(key: String, value: JSONValue)] = []
        if let field { extensions.append(("field", .string(field))) }
        if let offset { extensions.append(("offset", .number(Double(offset)))) }
        return ProblemDocument(status: HTTPStatus(status), detail: detail, extensions: extensions)
    }
}
