import HTTPServer
import JSON

/// An RFC 9457 problem details body (`application/problem+json`): what every error response
/// carries, so clients always get JSON with a `detail` they can show, never an empty body.
public struct ProblemDetails: Sendable, Equatable {
    public static let contentType = ProblemDocument.contentType

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
        self.title = title ?? HTTPStatus(status).reasonPhrase
        self.status = status
        self.detail = detail
        self.extensions = extensions
    }

    /// The document the HTTP server renders. An extension whose value JSON cannot carry (a
    /// non-finite number) is written as null rather than breaking the body.
    public var document: ProblemDocument {
        ProblemDocument(
            status: HTTPStatus(status), detail: detail, type: type, title: title,
            extensions: extensions.map { member in (member.key, (try? JSONWriter.encode(member.value)) ?? Self.null) })
    }

    private static let null = Array("null".utf8)

    /// The body as JSON bytes. Never fails.
    public var body: [UInt8] { document.bytes }

    public static func == (lhs: ProblemDetails, rhs: ProblemDetails) -> Bool {
        lhs.body == rhs.body
    }
}
