/// A request method. Methods are case-sensitive (RFC 9110 §9.1): `get` is not `GET`, so the
/// raw text is kept as the client sent it. A string literal is a method (`router.add("GET", …)`).
public struct HTTPMethod: Sendable, Hashable, RawRepresentable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(_ rawValue: String) {
        self.init(rawValue: rawValue)
    }

    public init(stringLiteral rawValue: String) {
        self.init(rawValue: rawValue)
    }

    /// The method of a request line, already checked to be a token. GET, HEAD and POST, nearly
    /// every request, are their constants: no decoding, validating or copying of the bytes.
    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        if HTTPBytes.equal(bytes, "GET") {
            self = .get
        } else if HTTPBytes.equal(bytes, "POST") {
            self = .post
        } else if HTTPBytes.equal(bytes, "HEAD") {
            self = .head
        } else {
            self.init(rawValue: String(decoding: bytes, as: UTF8.self))
        }
    }

    public var description: String { rawValue }

    public static let get = HTTPMethod("GET")
    public static let head = HTTPMethod("HEAD")
    public static let post = HTTPMethod("POST")
    public static let put = HTTPMethod("PUT")
    public static let delete = HTTPMethod("DELETE")
    public static let connect = HTTPMethod("CONNECT")
    public static let options = HTTPMethod("OPTIONS")
    public static let trace = HTTPMethod("TRACE")
    public static let patch = HTTPMethod("PATCH")
    public static let query = HTTPMethod("QUERY")

    /// The methods RFC 9110 §9 defines, plus PATCH (RFC 5789) and QUERY (the IETF's safe method
    /// with a body, which API tools already send). The router answers any other 501 Not
    /// Implemented, never 405; the metrics count any other as "other". (A switch, not a Set: no
    /// hashing on every request.)
    public var isKnown: Bool {
        switch self {
        case .get, .head, .post, .put, .delete, .connect, .options, .trace, .patch, .query: true
        default: false
        }
    }
}
