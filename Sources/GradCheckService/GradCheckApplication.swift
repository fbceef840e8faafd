import Foundation
import GradCheckReport
import HTTPServer

/// Builds the whole service: the routes over `GradCheckAPI` and an `HTTPServer` configured from
/// `ServiceConfiguration`. The executable and the integration tests (on port 0) both call this.
public enum GradCheckApplication {
    /// `POST /forward`, `/backward`, `/gradcheck` on the worker pool; `GET /healthz` and
    /// `GET /openapi.json` inline, so they answer even while every worker computes. (Running small
    /// `/forward` bodies inline measured 5-10% slower than the pool under wrk -c64: the pool adds
    /// a second core. Measured again with one event loop per core, answering a body of up to
    /// 8 KiB priced up to 2.5e5 operations on its loop: 4% fewer instructions a request, but
    /// about 25% fewer requests/s and twice the p99 on the notebook's /forward (wrk -t2 -c64,
    /// 2 shared cores): a loop busy computing leaves its other connections waiting, and the
    /// pool's threads keep the work moving while a loop is descheduled.)
    public static func router(
        api: GradCheckAPI, operations: Operations? = nil,
        progressInterval: Double = ProgressStream.defaultInterval
    ) -> HTTPRouter {
        var router = HTTPRouter()
        // Any Content-Type is read as JSON: `curl -d @file.json` sends a form type. Each handler
        // polls its request's cancellation, which the server raises when the client leaves.
        router.add(.post, "/forward") { request in
            response(api.forward(request.body, isCancelled: { request.cancellation.isCancelled }))
        }
        router.add(.post, "/backward") { request in
            response(api.backward(request.body, isCancelled: { request.cancellation.isCancelled }))
        }
        router.add(.post, "/gradcheck") { request in
            // One preparation (read within the memory budget, validated, priced, reserved) for
            // every format: a refusal has its own status before any stream byte is sent.
            let accept = request.headers["Accept"]
            let ndjson = ReportFormat.negotiate(accept: accept) == .ndjson
            var answer: HTTPResponse
            switch api.prepare(request.body, accept: accept, isCancelled: { request.cancellation.isCancelled }) {
            case let .answered(answered):
                answer = ndjson && answered.status == 200 ? ProgressStream.response(answered: answered) : response(answered)
            case let .check(prepared):
                answer =
                    ndjson
                    ? ProgressStream.response(
                        api: api, prepared: prepared, isCancelled: { request.cancellation.isCancelled }, interval: progressInterval)
                    : response(api.run(prepared, isCancelled: { request.cancellation.isCancelled }))
            }
            // The answer's representation depends on Accept (JSON, HTML or SVG): caches must key on it.
            answer.headers.set(name: "Vary", value: "Accept")
            return answer
        }
        router.add(.post, "/gradcheck/merge") { request in
            var answer = response(
                api.merge(request.body, accept: request.headers["Accept"], isCancelled: { request.cancellation.isCancelled }))
            answer.headers.set(name: "Vary", value: "Accept")
            return answer
        }
        // Built once: every probe gets the same answer, and building it cost two allocations
        // (its body and its headers) and their release a probe.
        let healthy = HTTPResponse(status: .ok, json: #"{"status":"ok"}"#)
        router.add(.get, "/healthz", execution: .inline) { _ in healthy }
        let openAPI = OpenAPIDocument.bytes
        router.add(.get, "/openapi.json", execution: .inline) { _ in HTTPResponse(status: .ok, json: openAPI) }
        addPage(to: &router)
        if let operations {
            router.add(.get, "/readyz", execution: .inline) { _ in
                let refusal = operations.readiness.refusal
                return HTTPResponse(
                    status: refusal == nil ? .ok : .serviceUnavailable,
                    json: refusal.map { #"{"status":"unavailable","reason":"\#($0.rawValue)"}"# } ?? #"{"status":"ready"}"#)
            }
            router.add(.get, "/metrics", execution: .inline) { _ in
                HTTPResponse(status: .ok, json: Array(operations.metricsText().utf8), contentType: PrometheusText.contentType)
            }
        }
        return router
    }

    /// `GET /`, the two files it loads and an empty favicon: constant bytes, answered inline.
    private static func addPage(to router: inout HTTPRouter) {
        let page = Array(IndexPage.html.utf8)
        let script = Array(AppScript.javascript.utf8)
        let style = Array(AppStyle.css.utf8)
        router.add(.get, "/", execution: .inline) { _ in
            HTTPResponse(
                status: .ok, json: page, contentType: "text/html; charset=utf-8",
                headers: ["Content-Security-Policy": IndexPage.contentSecurityPolicy, "X-Content-Type-Options": "nosniff"])
        }
        router.add(.get, "/app.js", execution: .inline, listed: false) { _ in
            HTTPResponse(
                status: .ok, json: script, contentType: "text/javascript; charset=utf-8",
                headers: ["X-Content-Type-Options": "nosniff"])
        }
        // Browsers ask for it unprompted; a 404 would be an error in every console.
        router.add(.get, "/favicon.ico", execution: .inline, listed: false) { _ in HTTPResponse(status: .noContent) }
        router.add(.get, "/app.css", execution: .inline, listed: false) { _ in
            HTTPResponse(
                status: .ok, json: style, contentType: "text/css; charset=utf-8",
                headers: ["X-Content-Type-Options": "nosniff"])
        }
    }

    /// What `/readyz` and `/metrics` read: the server's gauges, the memory budget, the counters.
    public struct Operations: Sendable {
        public let gauges: HTTPServerGauges
        public let memory: MemoryBudget
        public let metrics: ServiceMetrics
        public let readiness: Readiness

        func metricsText() -> String { metrics.exposition(gauges: gauges, memory: memory) }
    }

    /// The server, not yet started.
    public static func makeServer(
        _ options: ServiceConfiguration,
        accessLog: (@Sendable (HTTPAccessLogEntry) -> Void)? = nil
    ) -> HTTPServer {
        // One budget for the bodies the server reads and the work the handlers do.
        let memory = MemoryBudget(limit: memoryBudget(options).bytes)
        let metrics = ServiceMetrics()
        let gauges = HTTPServerGauges()
        let configuration = options.server
        let readiness = Readiness(gauges: gauges, memory: memory, queueCapacity: configuration.workerQueueDepth)
        let operations = Operations(gauges: gauges, memory: memory, metrics: metrics, readiness: readiness)
        let api = GradCheckAPI(
            limits: ComputeLimits(maxOperations: options.maxOperations), memory: memory, metrics: metrics, shardKey: options.shardKey)
        // Every exchange is counted, whether or not it is logged.
        let record: @Sendable (HTTPAccessLogEntry) -> Void = { entry in
            metrics.record(entry)
            accessLog?(entry)
        }
        let router = router(api: api, operations: operations, progressInterval: options.progressInterval)
        metrics.label(routesOf: router)
        return HTTPServer(
            configuration: configuration, router: router,
            memory: memory,
            gauges: gauges, accessLog: record)
    }

    /// `--max-memory`, or the default from the cgroup limit or physical memory, with its source.
    public static func memoryBudget(_ options: ServiceConfiguration) -> (bytes: Int, source: String) {
        options.maxMemory.map { ($0, "--max-memory") } ?? MemoryLimit.defaultBudget()
    }

    private static func response(_ answer: APIResponse) -> HTTPResponse {
        var headers: HTTPHeaders = [:]
        if let seconds = answer.retryAfterSeconds { headers.set(name: "Retry-After", value: "\(seconds)") }
        if let policy = answer.contentSecurityPolicy { headers.set(name: "Content-Security-Policy", value: policy) }
        // No answer is to be read as anything but its Content-Type (a JSON error as HTML, say).
        headers.set(name: "X-Content-Type-Options", value: "nosniff")
        var response = HTTPResponse(status: HTTPStatus(answer.status), json: answer.body, contentType: answer.contentType, headers: headers)
        response.problem = answer.problem
        if answer.status == 503 {
            // With Retry-After: other requests hold the memory; without: the check ran out of time.
            response.rejection = answer.retryAfterSeconds == nil ? .deadline : .memory
        }
        return response
    }
}
