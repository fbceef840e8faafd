/// An RFC 9457 problem details body (`application/problem+json`): what every error response
/// carries, so clients always get JSON with a `detail` they can show, never an empty body.
public struct ProblemDetails: Sendable, Equatable {
    public static let contentType = "application/problem+json"

    /// A URI reference naming the problem type; "about:blank" means "just the HTTP status"
    /// (RFC 9457 §4.2.1), and then `title` is the status's reason phrase.
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    /// Extension members (RFC 9457 §3.2), e.g. `field`, written after the standard ones.
    public var extensions: [(key: String, value: JSONValue)]

    public init(
        status: Int, detail: String, type: String = "about:blank", title: String? = nil,
        extensions: [(key: String, value: JSONValue)] = []
    ) {
        self.type = type
        self.title = title ?? ProblemDetails.reasonPhrase(for: status)
        self.status = status
        self.detail = detail
        self.extensions = extensions
    }

    /// The body as JSON bytes. Never fails: every member is a string or an integer.
    public var body: [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("type")
        writer.string(type)
        writer.key("title")
        writer.string(title)
        writer.key("status")
        writer.integer(status)
        writer.key("detail")
        writer.string(detail)
        for member in extensions where !["type", "title", "status", "detail"].contains(member.key) {
            writer.key(member.key)
            // A non-finite extension number is dropped to null rather than breaking the body.
            if (try? JSONWriter.encode(member.value)) != nil { try? writer.write(member.value) } else { writer.null() }
        }
        writer.endObject()
        return writer.bytes
    }

    public static func == (lhs: ProblemDetails, rhs: ProblemDetails) -> Bool {
        lhs.body == rhs.body
    }

    /// RFC 9110 §15 reason phrases for the statuses this service answers.
    public static func reasonPhrase(for status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 408: return "Request Timeout"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        default: return status < 500 ? "Client Error" : "Server Error"
        }
    }
}
