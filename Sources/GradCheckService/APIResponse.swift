/// What an endpoint answers, before it meets HTTP: a status, a content type and body bytes.
/// Keeping this free of the server's types lets the same handlers run in-process in tests.
public struct APIResponse: Sendable, Equatable {
    public static let jsonContentType = "application/json"

    public let status: Int
    public let contentType: String
    public let body: [UInt8]

    public init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// A 200 with a JSON body.
    public static func json(_ body: [UInt8]) -> APIResponse {
        APIResponse(status: 200, contentType: jsonContentType, body: body)
    }

    /// An RFC 9457 problem response.
    public static func problem(_ problem: ProblemDetails) -> APIResponse {
        APIResponse(status: problem.status, contentType: ProblemDetails.contentType, body: problem.body)
    }

    /// A problem response for a request error.
    public static func problem(_ error: RequestError) -> APIResponse {
        problem(error.problem)
    }
}
