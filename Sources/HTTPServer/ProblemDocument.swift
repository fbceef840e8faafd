import JSON

/// An RFC 9457 problem details document (`application/problem+json`): the one problem type. The
/// server's own refusals and the service's errors are both values of it, and it is rendered to
/// bytes in one place, with the exchange's `request_id` written by that renderer (the connection
/// sets it when it answers), never patched into bytes afterwards.
public struct ProblemDocument: Sendable, Equatable {
    public static let contentType = "application/problem+json"

    /// A URI reference naming the problem type; "about:blank" means "just the HTTP status"
    /// (RFC 9457 §4.2.1), and then `title` is the status's reason phrase.
    public var type: String
    public var title: String
    public var status: HTTPStatus
    public var detail: String
    /// Extension members (RFC 9457 §3.2), e.g. `field`, written after the standard ones. One
    /// named like a standard member (or `request_id`) is left out: those cannot be overridden.
    public var extensions: [(key: String, value: JSONValue)]
    /// The exchange's `X-Request-Id`, written last as `request_id` so an error a client reports
    /// can be found in the access log. Set by the server when it answers.
    public var requestID: String?

    public init(
        status: HTTPStatus, detail: String, type: String = "about:blank", title: String? = nil,
        extensions: [(key: String, value: JSONValue)] = []
    ) {
        self.type = type
        self.title = title ?? status.reasonPhrase
        self.status = status
        self.detail = detail
        self.extensions = extensions
    }

    private static let reservedMembers: Set<String> = ["type", "title", "status", "detail", requestIDMember]
    static let requestIDMember = "request_id"
    private static let null = Array("null".utf8)

    /// `{"type","title","status","detail",...extensions,"request_id"}`, compact. Never fails: an
    /// extension whose value JSON cannot carry (a non-finite number) is written as null.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 + type.utf8.count + title.utf8.count + detail.utf8.count)
        out.append(contentsOf: #"{"type":"#.utf8)
        JSONText.appendString(type, to: &out)
        out.append(contentsOf: #","title":"#.utf8)
        JSONText.appendString(title, to: &out)
        out.append(contentsOf: #","status":\#(status.code),"detail":"#.utf8)
        JSONText.appendString(detail, to: &out)
        for member in extensions where !Self.reservedMembers.contains(member.key) {
            out.append(UInt8(ascii: ","))
            JSONText.appendString(member.key, to: &out)
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: (try? JSONWriter.encode(member.value)) ?? Self.null)
        }
        if let requestID {
            out.append(UInt8(ascii: ","))
            JSONText.appendString(Self.requestIDMember, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONText.appendString(requestID, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Equal when they render the same bytes.
    public static func == (lhs: ProblemDocument, rhs: ProblemDocument) -> Bool { lhs.bytes == rhs.bytes }
}
