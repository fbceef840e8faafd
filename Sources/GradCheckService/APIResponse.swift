import GradCheckReport
import HTTPServer

/// What an endpoint answers, before it meets HTTP: a status, a content type and body bytes (and
/// the problem it is, when it is one). Keeping this free of the server's machinery (only its
/// problem value is shared) lets the same handlers run in-process in tests.
public struct APIResponse: Sendable, Equatable {
    public static let jsonContentType = "application/json"

    public let status: Int
    public let contentType: String
    public let body: [UInt8]
    /// Seconds after which a retry may succeed (`Retry-After`), for answers that say "busy".
    public let retryAfterSeconds: Int?
    /// The `Content-Security-Policy` an HTML answer carries (what its inline style may do).
    public let contentSecurityPolicy: String?
    /// The problem this answer is, when it is one (`body` holds its bytes without a request id;
    /// the server renders it again with the exchange's).
    public let problem: ProblemDocument?

    /// Seconds a client told "busy" (memory budget full) should wait before retrying.
    public static let retryAfterBusy = 1

    public init(
        status: Int, contentType: String, body: [UInt8], retryAfterSeconds: Int? = nil,
        contentSecurityPolicy: String? = nil, problem: ProblemDocument? = nil
    ) {
        self.problem = problem
        self.status = status
        self.contentType = contentType
        self.body = body
        self.retryAfterSeconds = retryAfterSeconds
        self.contentSecurityPolicy = contentSecurityPolicy
    }

    /// A 200 with a report picture (HTML or SVG) of a check.
    static func report(_ body: [UInt8], format: ReportFormat) -> APIResponse {
        APIResponse(
            status: 200, contentType: format.contentType, body: body,
            // An SVG may carry script: this one never does, and says so.
            contentSecurityPolicy: format == .html ? ReportHTML.contentSecurityPolicy : format == .svg ? "default-src 'none'" : nil)
    }

    /// A 200 with a JSON body.
    public static func json(_ body: [UInt8]) -> APIResponse {
        APIResponse(status: 200, contentType: jsonContentType, body: body)
    }

    /// An RFC 9457 problem response.
    public static func problem(_ problem: ProblemDocument, retryAfterSeconds: Int? = nil) -> APIResponse {
        APIResponse(
            status: problem.status.code, contentType: ProblemDocument.contentType, body: problem.bytes,
            retryAfterSeconds: retryAfterSeconds, problem: problem)
    }

    /// A problem response for a request error.
    public static func problem(_ error: RequestError) -> APIResponse {
        problem(error.problem)
    }
}
