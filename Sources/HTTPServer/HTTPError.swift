/// A request the server refuses before any handler sees it. Carries its own status; becomes a
/// problem+json response in one place (`response`).
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: HTTPStatus
    public let detail: String
    /// Parse errors lose the message framing, so the connection closes after the response
    /// (`HTTPConnection` reads this when it answers the error).
    public let closesConnection: Bool
    /// Headers the refusal carries (e.g. `Accept-Encoding` on a 415).
    public let headers: HTTPHeaders

    public init(status: HTTPStatus, detail: String, closesConnection: Bool = true, headers: HTTPHeaders = [:]) {
        self.status = status
        self.detail = detail
        self.closesConnection = closesConnection
        self.headers = headers
    }

    public var response: HTTPResponse { .problem(status: status, detail: detail, headers: headers) }
    public var description: String { "\(status): \(detail)" }

    static func badRequest(_ detail: String) -> HTTPError { HTTPError(status: .badRequest, detail: detail) }
    static func uriTooLong(_ detail: String) -> HTTPError { HTTPError(status: .uriTooLong, detail: detail) }
    static func headersTooLarge(_ detail: String) -> HTTPError { HTTPError(status: .requestHeaderFieldsTooLarge, detail: detail) }
    static func contentTooLarge(_ detail: String) -> HTTPError { HTTPError(status: .contentTooLarge, detail: detail) }
    static func notImplemented(_ detail: String) -> HTTPError { HTTPError(status: .notImplemented, detail: detail) }
    static func versionNotSupported(_ detail: String) -> HTTPError { HTTPError(status: .httpVersionNotSupported, detail: detail) }
    /// RFC 9110 §15.5.16: a content coding the server cannot decode is a 415, and §12.5.3 has it
    /// say which codings it takes.
    static func unsupportedContentCoding(_ detail: String) -> HTTPError {
        HTTPError(status: .unsupportedMediaType, detail: detail, headers: ["Accept-Encoding": "identity"])
    }
}
