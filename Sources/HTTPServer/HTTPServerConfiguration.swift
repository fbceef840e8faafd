import Foundation

/// Every limit, timeout and cap of the server in one value, so the whole hostile-input policy can
/// be read (and changed) in one place. Defaults suit a container serving gradient checks: bodies up
/// to 64 MiB (a few million parameters as JSON), short header deadlines, a pool sized to the cores.
public struct HTTPServerConfiguration: Sendable, Equatable {
    /// Address to bind. "0.0.0.0" listens on every IPv4 interface (what a container needs);
    /// tests use "127.0.0.1". IPv6 literals such as "::1" work too.
    public var host: String = "0.0.0.0"
    /// TCP port; 0 asks the kernel for a free one (read it back from `HTTPServer.start()`).
    public var port: Int = 8080
    /// listen(2) backlog.
    public var backlog: Int = 512

    /// Longest request line (method, target, version) accepted; longer -> 414 and close.
    public var maxRequestLineBytes: Int = 8 * 1024
    /// Largest header section (all field lines together, also chunked trailers); larger -> 431.
    public var maxHeaderBytes: Int = 32 * 1024
    /// Most header fields (and trailer fields) in one request; more -> 431.
    public var maxHeaderCount: Int = 100
    /// Largest request body. A larger Content-Length is refused with 413 before the body is read
    /// (also when the client sent `Expect: 100-continue`); a chunked body growing past it -> 413.
    public var maxBodyBytes: Int = 64 * 1024 * 1024

    /// Time allowed from the first byte of a request to the end of its header section.
    public var headerTimeout: Duration = .seconds(10)
    /// Time allowed from the end of the header section to the end of the body.
    public var bodyTimeout: Duration = .seconds(30)
    /// How long a keep-alive connection may sit idle between requests (also before the first one).
    public var keepAliveTimeout: Duration = .seconds(30)
    /// How long a response may take to drain into a client that stopped reading.
    public var writeTimeout: Duration = .seconds(30)
    /// After a response that closes the connection, how long unread request bytes are drained so
    /// the client sees the response instead of a reset.
    public var lingerTimeout: Duration = .seconds(2)

    /// Open connections at most; one more is answered 503 and closed at once.
    public var maxConnections: Int = 1024
    /// Requests served on one keep-alive connection; the last one carries `Connection: close`.
    public var maxRequestsPerConnection: Int = 1000

    /// Event loops: threads that do the socket I/O and parsing, each with its own epoll set and
    /// its own connections (new connections go to them in turn). Defaults to the number of cores.
    public var ioThreads: Int = HTTPServerConfiguration.coreCount
    /// Handlers running at the same time (the compute pool). Defaults to the number of cores.
    public var workerCount: Int = HTTPServerConfiguration.coreCount
    /// The cores this process may use: one worker each by default.
    public static var coreCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
    /// Requests waiting for a free worker; one more is answered 503 with `Retry-After`.
    public var workerQueueDepth: Int = 64
    /// Value of `Retry-After` (seconds) on 503 responses.
    public var retryAfterSeconds: Int = 1
    /// The header a 503 from the server carries.
    var retryAfterHeaders: HTTPHeaders { ["Retry-After": "\(retryAfterSeconds)"] }

    /// How long `stop()` waits for in-flight requests before closing what is left. Below the
    /// `containerStopGrace`, so a stop always exits cleanly: what is still open at the deadline
    /// (a stalled upload, say) is cut.
    public var drainTimeout: Duration = .seconds(8)
    /// How long `docker stop` and `podman stop` wait after SIGTERM before SIGKILL.
    public static let containerStopGrace = Duration.seconds(10)
    /// Bytes read per read(2) call.
    public var readChunkBytes: Int = 64 * 1024

    public init() {}
}

extension Duration {
    /// The duration in seconds, for flags, logs and metrics that count in seconds.
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Nanoseconds as a Dispatch interval, saturating instead of trapping on huge values.
    var dispatchInterval: DispatchTimeInterval {
        let (seconds, attoseconds) = components
        let nanos = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if nanos.overflow || seconds < 0 { return seconds < 0 ? .nanoseconds(0) : .never }
        let total = nanos.partialValue.addingReportingOverflow(attoseconds / 1_000_000_000)
        return total.overflow ? .never : .nanoseconds(Int(total.partialValue))
    }
}
