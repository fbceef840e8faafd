import HTTPServer
import Synchronization

/// Counters and histograms behind `GET /metrics`. Each request costs one lock around a few
/// updates of small arrays, found by comparing a handful of integers and short strings: no
/// hashing on the request path (the dictionaries the exposition sorts are built when it is
/// scraped). Gauges are read at scrape time from the server (`HTTPServerGauges`), the memory
/// budget and /proc instead of being counted.
///
/// Labels are bounded: `route` is one of the service's routes or "other", `method` one of the
/// methods the router knows or "other", `status` one of the few statuses the server sends.
public final class ServiceMetrics: Sendable {
    /// Upper bounds (seconds) of the request-duration buckets: from an inline /healthz (about
    /// 50 us) to a check near the 20 s work budget.
    static let durationBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    struct RequestKey: PrometheusSeries {
        let route: String
        let method: String
        let status: Int

        var labels: [(String, String)] { [("route", route), ("method", method), ("status", String(status))] }
        static func < (a: Self, b: Self) -> Bool { (a.route, a.method, a.status) < (b.route, b.method, b.status) }
    }

    struct CheckKey: PrometheusSeries {
        let verdict: String
        let method: String
        let mode: String

        var labels: [(String, String)] { [("verdict", verdict), ("method", method), ("mode", mode)] }
        static func < (a: Self, b: Self) -> Bool { (a.verdict, a.method, a.mode) < (b.verdict, b.method, b.mode) }
    }

    struct Histogram {
        var buckets = [Int](repeating: 0, count: ServiceMetrics.durationBuckets.count)
        var count = 0
        var sum = 0.0

        mutating func observe(_ seconds: Double) {
            count += 1
            sum += seconds
            // Buckets are stored non-cumulatively and summed when written.
            if let index = ServiceMetrics.durationBuckets.firstIndex(where: { seconds <= $0 }) { buckets[index] += 1 }
        }

        mutating func add(_ other: Histogram) {
            count += other.count
            sum += other.sum
            for index in buckets.indices { buckets[index] += other.buckets[index] }
        }
    }

    /// One series of `http_requests_total`: its route by its index in `State.routes` (the
    /// count of routes for "other").
    struct RequestCount {
        let route: Int
        let method: String
        let status: Int
        var count: Int
    }

    struct State {
        var requests: [RequestCount] = []
        /// By route index, like `RequestCount.route`; a route with no request yet has a count of 0.
        var durations: [Histogram] = [Histogram()]
        var checks: [CheckKey: Int] = [:]
        var costEvaluations = 0
        var cancelled = 0
        var rejected: [Rejection: Int] = [:]
        /// The paths the service serves (its router's), sorted: their indices are the routes.
        var routes: [String] = [] {
            didSet { routeLengths = routes.map(\.utf8.count) }
        }
        /// The UTF-8 length of each of `routes`, compared before the path itself: `==` on two
        /// different strings costs a call into the runtime, and reading a length from a string
        /// costs more than from an array.
        private var routeLengths: [Int] = []

        /// The index of the route `path` is, or `routes.count` ("other").
        func route(of path: String) -> Int {
            let length = path.utf8.count
            for index in routeLengths.indices where routeLengths[index] == length && routes[index] == path { return index }
            return routes.count
        }

        func routeLabel(_ index: Int) -> String {
            index < routes.count ? routes[index] : "other"
        }

        mutating func count(route: Int, method: String, status: Int, by increment: Int = 1) {
            for index in requests.indices where requests[index].route == route && requests[index].status == status {
                if requests[index].method == method {
                    requests[index].count += increment
                    return
                }
            }
            requests.append(RequestCount(route: route, method: method, status: status, count: increment))
        }
    }

    private let state = Mutex(State())
    public init() {}

    /// The router's paths become the `route` label's values; any other path is counted as
    /// "other". Called once the router that holds these metrics has been built.
    public func label(routesOf router: HTTPRouter) {
        let paths = router.paths.sorted()
        state.withLock { state in
            // What was counted before (nothing, when the server has not started) keeps its
            // route's name: every earlier route was "other" or is one of `paths`.
            let earlierLabels = (0...state.routes.count).map(state.routeLabel)
            let relabel = { (earlier: Int) in paths.firstIndex(of: earlierLabels[earlier]) ?? paths.count }
            var durations = Array(repeating: Histogram(), count: paths.count + 1)
            for (earlier, histogram) in state.durations.enumerated() { durations[relabel(earlier)].add(histogram) }
            let requests = state.requests
            state.routes = paths
            state.durations = durations
            state.requests = []
            for series in requests {
                state.count(route: relabel(series.route), method: series.method, status: series.status, by: series.count)
            }
        }
    }

    /// Counts one finished exchange (called with every access-log entry, logged or not).
    public func record(_ entry: HTTPAccessLogEntry) {
        let method = HTTPMethod(entry.method).isKnown ? entry.method : "other"
        let seconds = entry.seconds
        state.withLock { state in
            let route = state.route(of: entry.path)
            state.count(route: route, method: method, status: entry.status.code)
            state.durations[route].observe(seconds)
            if entry.status == .clientClosedRequest { state.cancelled += 1 }
            if let reason = entry.rejection { state.rejected[reason, default: 0] += 1 }
        }
    }

    /// Counts one gradient check that reached a verdict (`inconclusive` when the numbers could
    /// not decide: counted apart from failures).
    public func recordCheck(passed: Bool, inconclusive: Bool = false, method: String, mode: String, costEvaluations: Int) {
        let verdict = passed ? "passed" : inconclusive ? "inconclusive" : "failed"
        state.withLock { state in
            state.checks[CheckKey(verdict: verdict, method: method, mode: mode), default: 0] += 1
            state.costEvaluations += costEvaluations
        }
    }

    /// The whole exposition, families in a fixed order and series sorted, so two scrapes diff cleanly.
    func exposition(gauges: HTTPServerGauges, memory: MemoryBudget) -> String {
        let snapshot = state.withLock { $0 }
        var requests: [RequestKey: Int] = [:]
        for series in snapshot.requests {
            requests[RequestKey(route: snapshot.routeLabel(series.route), method: series.method, status: series.status)] = series.count
        }
        var durations: [String: Histogram] = [:]
        for (index, histogram) in snapshot.durations.enumerated() where histogram.count > 0 {
            durations[snapshot.routeLabel(index)] = histogram
        }
        var out = PrometheusText()
        out.counter("http_requests_total", "HTTP requests answered, by route, method and status.", requests)
        out.family("http_request_duration_seconds", "histogram", "Time from a request's first byte to its answer being queued, by route.")
        for (route, histogram) in durations.sorted(by: { $0.key < $1.key }) {
            var cumulative = 0
            for (bound, count) in zip(Self.durationBuckets, histogram.buckets) {
                cumulative += count
                out.sample("http_request_duration_seconds_bucket", [("route", route), ("le", PrometheusText.format(bound))], cumulative)
            }
            out.sample("http_request_duration_seconds_bucket", [("route", route), ("le", "+Inf")], histogram.count)
            out.sample("http_request_duration_seconds_sum", [("route", route)], histogram.sum)
            out.sample("http_request_duration_seconds_count", [("route", route)], histogram.count)
        }
        out.metric("http_requests_in_flight", "gauge", "Requests read and not yet answered.", gauges.inFlight)
        out.metric("http_connections_open", "gauge", "Client connections open.", gauges.connectionsOpen)
        out.metric("gradcheck_worker_queue_depth", "gauge", "Requests waiting for a free worker.", gauges.queueDepth)
        out.metric("gradcheck_memory_budget_bytes", "gauge", "Bytes requests may hold at once (--max-memory).", memory.limit)
        out.metric("gradcheck_memory_reserved_bytes", "gauge", "Bytes requests hold now.", memory.reservedBytes)
        out.counter("gradcheck_checks_total", "Gradient checks that reached a verdict, by verdict, method and mode.", snapshot.checks)
        out.metric(
            "gradcheck_cost_evaluations_total", "counter", "Cost function evaluations done by gradient checks.", snapshot.costEvaluations)
        out.metric(
            "gradcheck_requests_cancelled_total", "counter", "Requests whose client left before the answer (logged as 499).",
            snapshot.cancelled)
        out.family("gradcheck_requests_rejected_total", "counter", "Requests turned away by a limit, by reason.")
        // Every reason is written, even at zero, so a dashboard's rate() has a series from the first scrape.
        for reason in Rejection.allCases.sorted() {
            out.sample("gradcheck_requests_rejected_total", [("reason", reason.rawValue)], snapshot.rejected[reason] ?? 0)
        }
        if let process = ProcessStatistics.read() {
            out.metric("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", process.residentBytes)
            out.metric("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", process.cpuSeconds)
            out.metric(
                "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.", process.startTimeSeconds)
            out.metric("process_open_fds", "gauge", "Number of open file descriptors.", process.openDescriptors)
        }
        return out.text
    }
}
