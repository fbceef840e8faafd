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
    }

    private var routes: [String: [String: Route]] = [:]

    public init() {}

    public mutating func add(
        _ method: String, _ path: String, execution: Execution = .pool, handler: @escaping Handler
    ) {
        routes[path, default: [:]][method.uppercased()] = Route(handler: handler, execution: execution)
    }

    func resolve(method: String, path: String) -> Resolution {
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
        }
    }

    static func notFound(_ request: HTTPRequest) -> HTTPResponse {
        .problem(status: 404, detail: "no route for \(request.path)")
    }

    static func methodNotAllowed(_ request: HTTPRequest, allow: String) -> HTTPResponse {
        .problem(status: 405, detail: "\(request.method) is not allowed on \(request.path); allowed: \(allow)", headers: ["Allow": allow])
    }
}
