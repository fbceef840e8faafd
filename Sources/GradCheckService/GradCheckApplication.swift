import Foundation
import HTTPServer

/// Builds the whole service: the routes over `GradCheckAPI` and an `HTTPServer` configured from
/// `ServerOptions`. The executable and the integration tests (on port 0) both call this.
public enum GradCheckApplication {
    /// Bodies up to this size are answered by `/forward` and `/backward` on the I/O queue itself.
    /// Their cost is bounded by the body: N numbers (at least 2 bytes each, so N <= 2048) allow at
    /// most about N^2/12 multiply-adds (0.35 M: well under a millisecond, the notebook's case takes
    /// microseconds), less than the two thread hops the worker pool would add.
    public static let inlineBodyBytes = 4096

    /// `POST /forward`, `/backward` on the worker pool, or inline for bodies up to
    /// `inlineBodyBytes`; `/gradcheck` (cost grows with parameters times forward) always on the
    /// pool; `GET /healthz` and `GET /openapi.json` inline, so they answer even while every
    /// worker computes.
    public static func router(api: GradCheckAPI) -> HTTPRouter {
        var router = HTTPRouter()
        let small = HTTPRouter.Execution.inlineUpTo(bodyBytes: inlineBodyBytes)
        // Any Content-Type is read as JSON: `curl -d @file.json` sends a form type.
        router.add("POST", "/forward", execution: small) { request in response(api.forward(request.body)) }
        router.add("POST", "/backward", execution: small) { request in response(api.backward(request.body)) }
        router.add("POST", "/gradcheck") { request in response(api.gradcheck(request.body)) }
        router.add("GET", "/healthz", execution: .inline) { _ in HTTPResponse(status: 200, json: #"{"status":"ok"}"#) }
        let openAPI = OpenAPIDocument.bytes
        router.add("GET", "/openapi.json", execution: .inline) { _ in HTTPResponse(status: 200, json: openAPI) }
        return router
    }

    public static func configuration(_ options: ServerOptions) -> HTTPServerConfiguration {
        var configuration = HTTPServerConfiguration()
        configuration.host = options.host
        configuration.port = options.port
        configuration.maxBodyBytes = options.maxBodyBytes
        configuration.maxConnections = options.maxConnections
        if options.workers > 0 { configuration.workerCount = options.workers }
        configuration.headerTimeout = .milliseconds(Int64(options.headerTimeout * 1000))
        configuration.bodyTimeout = .milliseconds(Int64(options.bodyTimeout * 1000))
        configuration.keepAliveTimeout = .milliseconds(Int64(options.idleTimeout * 1000))
        configuration.drainTimeout = .milliseconds(Int64(options.drainTimeout * 1000))
        return configuration
    }

    /// The server, not yet started.
    public static func makeServer(_ options: ServerOptions,
                                  accessLog: (@Sendable (HTTPAccessLogEntry) -> Void)? = nil) -> HTTPServer {
        let api = GradCheckAPI(limits: ComputeLimits(maxOperations: options.maxOperations))
        return HTTPServer(configuration: configuration(options), router: router(api: api), accessLog: accessLog)
    }

    /// One access-log line: `POST /gradcheck 200 2871B 1.234ms`.
    public static func accessLogLine(_ entry: HTTPAccessLogEntry) -> String {
        let (seconds, attoseconds) = entry.duration.components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return "\(entry.method) \(entry.path) \(entry.status) \(entry.bodyBytes)B \(String(format: "%.3f", milliseconds))ms"
    }

    private static func response(_ answer: APIResponse) -> HTTPResponse {
        HTTPResponse(status: answer.status, json: answer.body, contentType: answer.contentType)
    }
}
