/// What a handler returns. The server adds `Content-Length` and `Connection` itself, so handlers
/// cannot get framing wrong.
public struct HTTPResponse: Sendable, Equatable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Not sent: why the request was turned away by a limit, for the access log and the metrics.
    /// Nil for an answer to the request itself, errors in it included.
    public var rejection: Rejection?
    /// A body produced while it is sent (`body` is then ignored): written with chunked transfer
    /// coding to an HTTP/1.1 client, or delimited by closing the connection for HTTP/1.0.
    public var stream: HTTPBodyStream?
    /// The problem this answer is, when it is one: the server renders it as the body, with the
    /// exchange's request id, when it answers (`body` is then replaced).
    public var problem: ProblemDocument?

    public init(status: HTTPStatus, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A 200 (or other status) whose body `produce` writes chunk by chunk on the worker thread.
    public init(status: HTTPStatus, headers: HTTPHeaders = [:], stream: HTTPBodyStream) {
        self.init(status: status, headers: headers)
        self.stream = stream
    }

    /// A response whose body is already-encoded JSON (or any text) with the given content type.
    public init(status: HTTPStatus, json: [UInt8], contentType: String = "application/json", headers: HTTPHeaders = [:]) {
        var headers = headers
        headers.set(name: "Content-Type", value: contentType)
        self.init(status: status, headers: headers, body: json)
    }

    public init(status: HTTPStatus, json: String, contentType: String = "application/json", headers: HTTPHeaders = [:]) {
        self.init(status: status, json: Array(json.utf8), contentType: contentType, headers: headers)
    }

    /// An RFC 9457 problem document (see `ProblemDocument`), its title the status's reason phrase
    /// unless given.
    public static func problem(status: HTTPStatus, detail: String, title: String? = nil, headers: HTTPHeaders = [:]) -> HTTPResponse {
        problem(ProblemDocument(status: status, detail: detail, title: title), headers: headers)
    }

    /// The answer that is `document`, with its status.
    public static func problem(_ document: ProblemDocument, headers: HTTPHeaders = [:]) -> HTTPResponse {
        var response = HTTPResponse(
            status: document.status, json: document.bytes, contentType: ProblemDocument.contentType, headers: headers)
        response.problem = document
        return response
    }
}
