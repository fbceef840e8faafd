import Foundation
import HTTPServer

/// Builds the whole service: the routes over `GradCheckAPI` and an `HTTPServer` configured from
/// `ServerOptions`. The executable and the integration tests (on port 0) both call this.
public enum GradCheckApplication {
    /// `POST /forward`, `/backward`, `/gradcheck` on the worker pool; `GET /healthz` and
    /// `GET /openapi.json` inline, so they answer even while every worker computes. (Running small
    /// `/forward` bodies inline measured 5-10% slower than the pool under wrk -c64: the pool adds
    /// a second core.)
    public static func router(api: GradCheckAPI, operations: Operations? = nil) -> HTTPRouter {
        var router = HTTPRouter()
        // Any Content-Type is read as JSON: `curl -d @file.json` sends a form type. Each handler
        // polls its request's cancellation, which the server raises when the client leaves.
        router.add("POST", "/forward") { request in
            response(api.forward(request.body, isCancelled: { request.cancellation.isCancelled }))
        }
        router.add("POST", "/backward") { request in
            response(api.backward(request.body, isCancelled: { request.cancellation.isCancelled }))
        }
        router.add("POST", "/gradcheck") { request in
            response(api.gradcheck(request.body, isCancelled: { request.cancellation.isCancelled }))
        }
        router.add("GET", "/healthz", execution: .inline) { _ in HTTPResponse(status: 200, json: #"{"status":"ok"}"#) }
        let openAPI = OpenAPIDocument.bytes
        router.add("GET", "/openapi.json", execution: .inline) { _ in HTTPResponse(status: 200, json: openAPI) }
        if let operations {
            router.add("GET", "/readyz", execution: .inline) { _ in
                let refusal = operations.readiness.refusal
                return HTTPResponse(status: refusal == nil ? 200 : 503,
                                    json: refusal.map { #"{"status":"unavailable","reason":"\#($0)"}"# } ?? #"{"status":"ready"}"#)
            }
            router.add("GET", "/metrics", execution: .inline) { _ in
                HTTPResponse(status: 200, json: Array(operations.metricsText().utf8), contentType: PrometheusText.contentType)
            }
        }
        return router
    }

    /// Every path the service answers: the metrics' `route` label is one of these or "other".
    public static let routes: Set<String> = ["/forward", "/backward", "/gradcheck", "/healthz", "/readyz", "/metrics", "/openapi.json"]

    /// What `/readyz` and `/metrics` read: the server's gauges, the memory budget, the counters.
    public struct Operations: Sendable {
        public let gauges: HTTPServerGauges
        public let memory: MemoryBudget
        public let metrics: ServiceMetrics
        public let readiness: Readiness

        func metricsText() -> String { metrics.exposition(gauges: gauges, memory: memory) }
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
        // One budget for the bodies the server reads and the work the handlers do.
        let memory = MemoryBudget(limit: memoryBudget(options).bytes)
        let metrics = ServiceMetrics(routes: routes)
        let gauges = HTTPServerGauges()
        let configuration = configuration(options)
        let readiness = Readiness(gauges: gauges, memory: memory, queueCapacity: configuration.workerQueueDepth)
        let operations = Operations(gauges: gauges, memory: memory, metrics: metrics, readiness: readiness)
        let api = GradCheckAPI(limits: ComputeLimits(maxOperations: options.maxOperations), memory: memory, metrics: metrics)
        // Every exchange is counted, whether or not it is logged.
        let record: @Sendable (HTTPAccessLogEntry) -> Void = { entry in
            metrics.record(entry)
            accessLog?(entry)
        }
        return HTTPServer(configuration: configuration, router: router(api: api, operations: operations), memory: memory,
                          gauges: gauges, accessLog: record)
    }

    /// `--max-memory`, or the default from the cgroup limit or physical memory, with its source.
    public static func memoryBudget(_ options: ServerOptions) -> (bytes: Int, source: String) {
        options.maxMemory.map { ($0, "--max-memory") } ?? MemoryLimit.defaultBudget()
    }

    private static func response(_ answer: APIResponse) -> HTTPResponse {
        var headers: HTTPHeaders = [:]
        if let seconds = answer.retryAfterSeconds { headers.set(name: "Retry-After", value: "\(seconds)") }
        var response = HTTPResponse(status: answer.status, json: answer.body, contentType: answer.contentType, headers: headers)
        if answer.status == 503 {
            // With Retry-After: other requests hold the memory; without: the check ran out of time.
            response.rejection = answer.retryAfterSeconds == nil ? "deadline" : "memory"
        }
        return response
    }
}
