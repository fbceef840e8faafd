/// Maps (method, exact path) to handlers. Unknown path -> 404; known path, other method -> 405
/// with `Allow`; HEAD is answered by the GET handler without a body.
public struct HTTPRouter: Sendable {
    /// Synchronous: it runs on the worker pool (or inline, see `Execution`), never on a socket.
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    /// Where a handler runs.
    public enum Execution: Sendable {
        /// On the bounded worker pool: anything that computes. Full pool queue -> 503.
        case pool
        /// Directly on the I/O queue: only for trivial constant-time handlers such as a health
        /// check, so it is answered even while every worker is busy.
        case inline
    }

    struct Route: Sendable {
        let handler: Handler
        let execution: Execution
    }

    enum Resolution {
        case route(Route, headOnly: Bool)
        case notFound
        case methodNotAllowed(allow: String)
        /// A method this server does not implement for any resource (RFC 9110 §9.1: 501).
        case notImplemented
    }

    /// The methods RFC 9110 §9 defines, plus PATCH (RFC 5789) and QUERY (the IETF's safe method
    /// with a body, which API tools already send). Methods are case-sensitive (§9.1), so
    /// `get` is not GET: anything else is answered 501 Not Implemented, never 405. (A switch,
    /// not a Set: no hashing on every request.)
    static func isKnownMethod(_ method: String) -> Bool {
        switch method {
        case "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "QUERY": true
        default: false
        }
    }
    /// At most this many bytes of a client's method or path are echoed in an error detail.
    static let echoedBytes = 40

    private var routes: [String: [String: Route]] = [:]

    public init() {}

    public mutating func add(
        _ method: String, _ path: String, execution: Execution = .pool, handler: @escaping Handler
    ) {
        routes[path, default: [:]][method.uppercased()] = Route(handler: handler, execution: execution)
    }

    func resolve(method: String, path: String) -> Resolution {
        guard Self.isKnownMethod(method) else { return .notImplemented }
        guard let byMethod = routes[path] else { return .notFound }
        if let route = byMethod[method] { return .route(route, headOnly: false) }
        if method == "HEAD", let get = byMethod["GET"] { return .route(get, headOnly: true) }
        var allowed = Set(byMethod.keys)
        if allowed.contains("GET") { allowed.insert("HEAD") }
        return .methodNotAllowed(allow: allowed.sorted().joined(separator: ", "))
    }

    /// Runs the whole routing decision in-process (404/405 included), for tests of other layers.
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        switch resolve(method: request.method, path: request.path) {
        case .route(let route, _): route.handler(request)
        case .notFound: HTTPRouter.notFound(request)
        case .methodNotAllowed(let allow): HTTPRouter.methodNotAllowed(request, allow: allow)
        case .notImplemented: HTTPRouter.notImplemented(request)
        }
    }

    static func notFound(_ request: HTTPRequest) -> HTTPResponse {
        .problem(status: 404, detail: "no route for \(echo(request.path))")
    }

    static func methodNotAllowed(_ request: HTTPRequest, allow: String) -> HTTPResponse {
        .problem(
            status: 405, detail: "\(request.method) is not allowed on \(echo(request.path)); allowed: \(allow)", headers: ["Allow": allow])
    }

    static func notImplemented(_ request: HTTPRequest) -> HTTPResponse {
        .problem(
            status: 501,
            detail: "method \(echo(request.method)) is not implemented by this server (methods are case-sensitive: GET, HEAD and POST are)")
    }

    /// A client's text as an error message may repeat it: at most `echoedBytes` bytes of it.
    static func echo(_ text: String) -> String {
        text.utf8.count <= echoedBytes ? text : String(decoding: text.utf8.prefix(echoedBytes), as: UTF8.self) + "..."
    }
}
