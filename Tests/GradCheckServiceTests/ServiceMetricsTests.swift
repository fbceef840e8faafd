import HTTPServer
import Testing

@testable import GradCheckService

/// The request counters and duration histograms, read back from the exposition: series by route
/// (the router's paths, anything else "other"), method (known ones, anything else "other") and
/// status, sorted; durations in their buckets.
@Suite struct ServiceMetricsTests {
    private static func router() -> HTTPRouter {
        var router = HTTPRouter()
        router.add(.get, "/healthz") { _ in HTTPResponse(status: 200) }
        router.add(.post, "/forward") { _ in HTTPResponse(status: 200) }
        router.add(.post, "/gradcheck/merge") { _ in HTTPResponse(status: 200) }
        return router
    }

    private static func entry(_ method: String, _ path: String, _ status: HTTPStatus, nanoseconds: Int64 = 1000) -> HTTPAccessLogEntry {
        HTTPAccessLogEntry(method: method, path: path, status: status, bodyBytes: 0, duration: .nanoseconds(nanoseconds))
    }

    private static func lines(_ metrics: ServiceMetrics, prefix: String) -> [String] {
        metrics.exposition(gauges: HTTPServerGauges(), memory: MemoryBudget(limit: 1 << 20))
            .split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
    }

    @Test func requestsAreCountedByRouteMethodAndStatus() {
        let metrics = ServiceMetrics()
        // Counted before the routes are known: "other", and still so once they are.
        metrics.record(Self.entry("GET", "/healthz", 200))
        metrics.label(routesOf: Self.router())
        for _ in 0..<3 { metrics.record(Self.entry("GET", "/healthz", 200)) }
        metrics.record(Self.entry("HEAD", "/healthz", 200))
        metrics.record(Self.entry("GET", "/healthz", 503))
        metrics.record(Self.entry("POST", "/forward", 200))
        metrics.record(Self.entry("POST", "/gradcheck/merge", 422))
        metrics.record(Self.entry("BREW", "/forward", 501))
        metrics.record(Self.entry("get", "/nope", 404))
        metrics.record(Self.entry("GET", "/healthz/", 404))
        metrics.record(Self.entry("GET", "/healthz", 499))
        #expect(
            Self.lines(metrics, prefix: "http_requests_total") == [
                #"http_requests_total{route="/forward",method="POST",status="200"} 1"#,
                #"http_requests_total{route="/forward",method="other",status="501"} 1"#,
                #"http_requests_total{route="/gradcheck/merge",method="POST",status="422"} 1"#,
                #"http_requests_total{route="/healthz",method="GET",status="200"} 3"#,
                #"http_requests_total{route="/healthz",method="GET",status="499"} 1"#,
                #"http_requests_total{route="/healthz",method="GET",status="503"} 1"#,
                #"http_requests_total{route="/healthz",method="HEAD",status="200"} 1"#,
                #"http_requests_total{route="other",method="GET",status="200"} 1"#,
                #"http_requests_total{route="other",method="GET",status="404"} 1"#,
                #"http_requests_total{route="other",method="other",status="404"} 1"#,
            ])
        #expect(Self.lines(metrics, prefix: "gradcheck_requests_cancelled_total") == ["gradcheck_requests_cancelled_total 1"])
    }

    @Test func durationsFallInTheirBucketsPerRoute() {
        let metrics = ServiceMetrics()
        metrics.label(routesOf: Self.router())
        // 0.5 ms is the first bound itself; 1 ms + 1 ns is past the second.
        for nanoseconds: Int64 in [500_000, 1_000_001, 40_000_000_000] {
            metrics.record(Self.entry("POST", "/forward", 200, nanoseconds: nanoseconds))
        }
        let lines = Self.lines(metrics, prefix: "http_request_duration_seconds")
        #expect(lines.contains(#"http_request_duration_seconds_bucket{route="/forward",le="0.0005"} 1"#))
        #expect(lines.contains(#"http_request_duration_seconds_bucket{route="/forward",le="0.001"} 1"#))
        #expect(lines.contains(#"http_request_duration_seconds_bucket{route="/forward",le="0.0025"} 2"#))
        #expect(lines.contains(#"http_request_duration_seconds_bucket{route="/forward",le="30"} 2"#))
        #expect(lines.contains(#"http_request_duration_seconds_bucket{route="/forward",le="+Inf"} 3"#))
        #expect(lines.contains(#"http_request_duration_seconds_count{route="/forward"} 3"#))
        let sum = 0.0005 + 0.001000001 + 40.0
        #expect(lines.contains(#"http_request_duration_seconds_sum{route="/forward"} "# + PrometheusText.format(sum)))
        // A route with no request has no series.
        #expect(!lines.contains { $0.contains("/healthz") })
    }

    @Test func entrySecondsAreWhatTheDurationSays() {
        for nanoseconds: Int64 in [0, 1, 999_999_999, 1_000_000_000, 1_234_567_891, -1, -1_500_000_000, .max, .min + 1] {
            let entry = Self.entry("GET", "/", 200, nanoseconds: nanoseconds)
            #expect(entry.seconds == Duration.nanoseconds(nanoseconds).inSeconds, "\(nanoseconds)")
            #expect(entry.duration == .nanoseconds(nanoseconds))
        }
    }
}
