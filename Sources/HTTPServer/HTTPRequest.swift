import Synchronization

/// An HTTP protocol version as it appeared on the request line.
public struct HTTPVersion: Sendable, Equatable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }
    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)
    public var description: String { "HTTP/\(major).\(minor)" }
}

/// How the body of a request is delimited (RFC 9112 §6.3).
public enum HTTPBodyFraming: Sendable, Equatable {
    case none
    case contentLength(Int)
    case chunked
}

/// Everything before the body: known as soon as the header section is complete, which is when
/// the server decides on `100 Continue` or an early 413.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: HTTPMethod
    /// The request target exactly as sent (origin-form, absolute-form or "*").
    public var target: String
    /// Path part of the target, not percent-decoded (absolute-form is reduced to its path).
    public var path: String
    /// Text after the first "?", without it; nil when there was no "?".
    public var query: String?
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var framing: HTTPBodyFraming
    /// The client sent `Expect: 100-continue` and waits for an interim response.
    public var expectsContinue: Bool
    /// The client is willing to keep the connection open after this request.
    public var keepAlive: Bool
}

/// A complete request as handed to a route handler.
public struct HTTPRequest: Sendable, Equatable {
    public var head: HTTPRequestHead
    public var body: [UInt8]
    /// Set by the server when the client goes away while the request waits or runs; long
    /// handlers poll it and stop. Not part of the request's value (`==` ignores it).
    public let cancellation: RequestCancellation

    public init(head: HTTPRequestHead, body: [UInt8], cancellation: RequestCancellation = RequestCancellation()) {
        self.head = head
        self.body = body
        self.cancellation = cancellation
    }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.head == rhs.head && lhs.body == rhs.body
    }

    public var method: HTTPMethod { head.method }
    public var path: String { head.path }
    public var query: String? { head.query }
    public var target: String { head.target }
    public var version: HTTPVersion { head.version }
    public var headers: HTTPHeaders { head.headers }
    public var keepAlive: Bool { head.keepAlive }
}

extension HTTPRequest {
    /// Builds a request without parsing, for calling handlers in-process (tests, other layers).
    public init(
        method: HTTPMethod, path: String, query: String? = nil,
        headers: HTTPHeaders = [:], body: [UInt8] = [], version: HTTPVersion = .http1_1
    ) {
        let target = query.map { "\(path)?\($0)" } ?? path
        self.init(
            head: HTTPRequestHead(
                method: method, target: target, path: path, query: query, version: version,
                headers: headers, framing: body.isEmpty ? .none : .contentLength(body.count),
                expectsContinue: false, keepAlive: true),
            body: body)
    }
}

/// A flag the server raises when a request's client disconnects (EOF or reset on its socket)
/// before the response is written. Shared by reference between the connection (which sets it,
/// on the I/O queue) and the handler (which reads it, on a worker): an atomic, so no lock.
public final class RequestCancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public var isCancelled: Bool { flag.load(ordering: .relaxed) }

    public func cancel() { flag.store(true, ordering: .relaxed) }
}
