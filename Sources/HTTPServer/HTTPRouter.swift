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
        /// `headOnly`: a HEAD answered by the GET handler (its answer is sent without a body).
        case route(Route, headOnly: Bool)
        /// No route takes the request: the router answers it itself.
        case refused(Refusal)
    }

    enum Refusal {
        case notFound
        case methodNotAllowed(allow: String)
        /// A method this server does not implement for any resource (RFC 9110 §9.1: 501).
        case notImplemented
    }

    /// At most this many bytes of a client's method or path are echoed in an error detail.
    static let echoedBytes = 40

    /// The handlers of each path, in the order the paths were added. Read by a scan that compares
    /// lengths first, then methods in a short list: for a service's dozen routes that costs a few
    /// comparisons, where two dictionaries cost hashing the path and then the method per request.
    private var table: [PathRoutes] = []

    private struct PathRoutes {
        let path: String
        /// `path.utf8.count`, compared before any text.
        let length: Int
        var methods: [(method: HTTPMethod, route: Route)] = []

        func route(for method: HTTPMethod) -> Route? {
            methods.first { $0.method == method }?.route
        }
    }
    /// The routes a 404 lists, in the order they were added.
    private var listed: [(method: HTTPMethod, path: String)] = []

    public init() {}

    /// `listed: false` keeps a route out of the list a 404 gives (a page's stylesheet, say).
    public mutating func add(
        _ method: HTTPMethod, _ path: String, execution: Execution = .pool, listed: Bool = true, handler: @escaping Handler
    ) {
        let route = Route(handler: handler, execution: execution)
        guard let index = table.firstIndex(where: { $0.path == path }) else {
            if listed { self.listed.append((method, path)) }
            table.append(PathRoutes(path: path, length: path.utf8.count, methods: [(method, route)]))
            return
        }
        if let known = table[index].methods.firstIndex(where: { $0.method == method }) {
            table[index].methods[known].route = route
        } else {
            if listed { self.listed.append((method, path)) }
            table[index].methods.append((method, route))
        }
    }

    /// Every (method, path) a handler was added for, listed or not: the one route table the
    /// metrics' `route` label and the OpenAPI document are held to. HEAD, answered by GET, is not
    /// in it.
    public var routeTable: Set<RouteKey> {
        Set(table.flatMap { entry in entry.methods.map { RouteKey(method: $0.method, path: entry.path) } })
    }

    /// Every path some handler answers.
    public var paths: Set<String> { Set(table.map(\.path)) }

    public struct RouteKey: Hashable, Sendable, CustomStringConvertible {
        public let method: HTTPMethod
        public let path: String

        public init(method: HTTPMethod, path: String) {
            self.method = method
            self.path = path
        }

        public var description: String { "\(method) \(path)" }
    }

    /// "POST /forward, /backward; GET /healthz, /": the listed routes, grouped by method in the
    /// order each method was first added.
    var routeList: String {
        var methods: [HTTPMethod] = []
        for route in listed where !methods.contains(route.method) { methods.append(route.method) }
        return methods.map { method in
            "\(method) " + listed.filter { $0.method == method }.map(\.path).joined(separator: ", ")
        }.joined(separator: "; ")
    }

    func resolve(method: HTTPMethod, path: String) -> Resolution {
        guard method.isKnown else { return .refused(.notImplemented) }
        let length = path.utf8.count
        guard let entry = table.first(where: { $0.length == length && $0.path == path }) else { return .refused(.notFound) }
        if let route = entry.route(for: method) { return .route(route, headOnly: false) }
        if method == .head, let get = entry.route(for: .get) { return .route(get, headOnly: true) }
        var allowed = Set(entry.methods.map(\.method))
        if allowed.contains(.get) { allowed.insert(.head) }
        return .refused(.methodNotAllowed(allow: allowed.map(\.rawValue).sorted().joined(separator: ", ")))
    }

    /// Runs the whole routing decision in-process (404/405 included), for tests of other layers.
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        switch resolve(method: request.method, path: request.path) {
        case .route(let route, _): route.handler(request)
        case .refused(let refusal): answer(refusal, to: request)
        }
    }

    /// The router's own answer when no route takes the request: 404, 405 with `Allow`, or 501.
    func answer(_ refusal: Refusal, to request: HTTPRequest) -> HTTPResponse {
        switch refusal {
        case .notFound:
            let known = listed.isEmpty ? "" : "; the routes are \(routeList)"
            return .problem(status: .notFound, detail: "no route for \(Self.echo(request.path))\(known)")
        case .methodNotAllowed(let allow):
            return .problem(
                status: .methodNotAllowed, detail: "\(request.method) is not allowed on \(Self.echo(request.path)); allowed: \(allow)",
                headers: ["Allow": allow])
        case .notImplemented:
            return .problem(
                status: .notImplemented,
                detail:
                    "method \(Self.echo(request.method.rawValue)) is not implemented by this server (methods are case-sensitive: GET, HEAD and POST are)"
            )
        }
    }

    /// A client's text as an error message may repeat it: at most `echoedBytes` bytes of it.
    static func echo(_ text: String) -> String {
        text.utf8.count <= echoedBytes ? text : String(decoding: text.utf8.prefix(echoedBytes), as: UTF8.self) + "..."
    }
}
