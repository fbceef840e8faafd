/// An HTTP status code with its reason phrase (RFC 9110 §15): the one table that both the status
/// line and problem titles read. An integer literal is a status, so `HTTPResponse(status: 200)`
/// and `response.status == 413` read as plain numbers do.
public struct HTTPStatus: Sendable, Hashable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public let code: Int
    public let reasonPhrase: String

    private init(_ code: Int, _ reasonPhrase: String) {
        self.code = code
        self.reasonPhrase = reasonPhrase
    }

    /// Any code; its phrase comes from the table below, or names its class (RFC 9110 §15) when
    /// the code is not in it.
    public init(_ code: Int) {
        self = Self.byCode[code] ?? HTTPStatus(code, Self.className(code))
    }

    public init(integerLiteral code: Int) {
        self.init(code)
    }

    /// The bare code, as the access log and metrics labels write it.
    public var description: String { String(code) }

    public static let `continue` = HTTPStatus(100, "Continue")
    public static let ok = HTTPStatus(200, "OK")
    public static let created = HTTPStatus(201, "Created")
    public static let noContent = HTTPStatus(204, "No Content")
    public static let notModified = HTTPStatus(304, "Not Modified")
    public static let badRequest = HTTPStatus(400, "Bad Request")
    public static let notFound = HTTPStatus(404, "Not Found")
    public static let methodNotAllowed = HTTPStatus(405, "Method Not Allowed")
    public static let notAcceptable = HTTPStatus(406, "Not Acceptable")
    public static let requestTimeout = HTTPStatus(408, "Request Timeout")
    public static let lengthRequired = HTTPStatus(411, "Length Required")
    public static let contentTooLarge = HTTPStatus(413, "Content Too Large")
    public static let uriTooLong = HTTPStatus(414, "URI Too Long")
    public static let unsupportedMediaType = HTTPStatus(415, "Unsupported Media Type")
    public static let unprocessableContent = HTTPStatus(422, "Unprocessable Content")
    public static let tooManyRequests = HTTPStatus(429, "Too Many Requests")
    public static let requestHeaderFieldsTooLarge = HTTPStatus(431, "Request Header Fields Too Large")
    /// nginx's "client closed request": logged (never sent) when a client leaves before its answer.
    public static let clientClosedRequest = HTTPStatus(499, "Client Closed Request")
    public static let internalServerError = HTTPStatus(500, "Internal Server Error")
    public static let notImplemented = HTTPStatus(501, "Not Implemented")
    public static let serviceUnavailable = HTTPStatus(503, "Service Unavailable")
    public static let httpVersionNotSupported = HTTPStatus(505, "HTTP Version Not Supported")

    /// Every status above by its code: `init(_:)` finds a number's phrase here.
    private static let byCode: [Int: HTTPStatus] = Dictionary(
        uniqueKeysWithValues: [
            HTTPStatus.continue, .ok, .created, .noContent, .notModified, .badRequest, .notFound, .methodNotAllowed, .notAcceptable,
            .requestTimeout, .lengthRequired, .contentTooLarge, .uriTooLong, .unsupportedMediaType, .unprocessableContent,
            .tooManyRequests, .requestHeaderFieldsTooLarge, .clientClosedRequest, .internalServerError, .notImplemented,
            .serviceUnavailable, .httpVersionNotSupported,
        ].map { ($0.code, $0) })

    private static func className(_ code: Int) -> String {
        switch code / 100 {
        case 1: "Informational"
        case 2: "Successful"
        case 3: "Redirection"
        case 4: "Client Error"
        default: "Server Error"
        }
    }
}
