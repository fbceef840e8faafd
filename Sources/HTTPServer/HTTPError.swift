/// A request the server refuses before any handler sees it. Carries its own status; becomes a
/// problem+json response in one place (`response`).
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: Int
    public let detail: String
    /// Parse errors lose the message framing, so the connection must close after the response.
    public let closesConnection: Bool

    public init(status: Int, detail: String, closesConnection: Bool = true) {
        self.status = status
        self.detail = detail
        self.closesConnection = closesConnection
    }

    public var response: HTTPResponse { .problem(status: status, detail: detail) }
    public var description: String { "\(status): \(detail)" }

    static func badRequest(_ detail: String) -> HTTPError { HTTPError(status: 400, detail: detail) }
    static func uriTooLong(_ detail: String) -> HTTPError { HTTPError(status: 414, detail: detail) }
    static func headersTooLarge(_ detail: String) -> HTTPError { HTTPError(status: 431, detail: detail) }
    static func contentTooLarge(_ detail: String) -> HTTPError { HTTPError(status: 413, detail: detail) }
    static func notImplemented(_ detail: String) -> HTTPError { HTTPError(status: 501, detail: detail) }
    static func versionNotSupported(_ detail: String) -> HTTPError { HTTPError(status: 505, detail: detail) }
}
