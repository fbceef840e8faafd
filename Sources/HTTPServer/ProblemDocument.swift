import JSON

/// An RFC 9457 problem details document (`application/problem+json`), and the one place that
/// writes one as bytes: the server's own refusals and the service's errors both render here.
public struct ProblemDocument: Sendable {
    public static let contentType = "application/problem+json"

    /// A URI reference naming the problem type; "about:blank" means "just the HTTP status"
    /// (RFC 9457 §4.2.1), and then `title` is the status's reason phrase.
    public var type: String
    public var title: String
    public var status: HTTPStatus
    public var detail: String
    /// Extension members (RFC 9457 §3.2) as already-encoded JSON values (this module has no JSON
    /// value type), written after the standard members. One named like a standard member is
    /// left out: those cannot be overridden.
    public var extensions: [(key: String, json: [UInt8])]

    public init(
        status: HTTPStatus, detail: String, type: String = "about:blank", title: String? = nil,
        extensions: [(key: String, json: [UInt8])] = []
    ) {
        self.type = type
        self.title = title ?? status.reasonPhrase
        self.status = status
        self.detail = detail
        self.extensions = extensions
    }

    private static let standardMembers: Set<String> = ["type", "title", "status", "detail"]

    /// `{"type","title","status","detail",...extensions}`, compact.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(96 + type.utf8.count + title.utf8.count + detail.utf8.count)
        out.append(contentsOf: #"{"type":"#.utf8)
        JSONText.appendString(type, to: &out)
        out.append(contentsOf: #","title":"#.utf8)
        JSONText.appendString(title, to: &out)
        out.append(contentsOf: #","status":\#(status.code),"detail":"#.utf8)
        JSONText.appendString(detail, to: &out)
        for member in extensions where !Self.standardMembers.contains(member.key) {
            out.append(UInt8(ascii: ","))
            JSONText.appendString(member.key, to: &out)
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: member.json)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
