import Dispatch
import Foundation
import Synchronization

/// One line of the access log, produced once per response.
public struct HTTPAccessLogEntry: Sendable {
    /// "-" when the request could not be parsed.
    public let method: String
    public let path: String
    public let status: HTTPStatus
    /// Bytes of the response body (Content-Length), not counting headers; for a streamed body,
    /// the bytes its producer wrote (without the chunk framing), logged when it ends.
    public let bodyBytes: Int
    /// From the first byte of the request to the response being queued for writing, in whole
    /// nanoseconds (the clock's resolution): the log line and the metrics read this, one per
    /// request, without `Duration`'s 128-bit arithmetic.
    public let nanoseconds: Int64
    /// The same, as a `Duration`.
    public var duration: Duration { .nanoseconds(nanoseconds) }
    /// The same in seconds, exactly as `duration.inSeconds` gives it (whole seconds plus the
    /// fraction, each converted apart), for the metrics' histogram.
    public var seconds: Double {
        let (whole, fraction) = nanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
        return Double(whole) + Double(fraction * 1_000_000_000) / 1e18
    }
    /// The `X-Request-Id` the response carried ("-" for a connection refused before any request).
    public var requestID: String { id.text }
    /// The same, kept as the connection chose it: a generated id is made text only if read.
    let id: RequestID
    /// The client's address and port.
    public let remote: String
    /// Why the server or a handler turned the request away (see `HTTPResponse.rejection`), if it did.
    public let rejection: Rejection?

    public init(
        method: String, path: String, status: HTTPStatus, bodyBytes: Int, duration: Duration,
        requestID: String = "-", remote: String = "-", rejection: Rejection? = nil
    ) {
        self.method = method
        self.path = path
        self.status = status
        self.bodyBytes = bodyBytes
        nanoseconds = Self.wholeNanoseconds(duration)
        id = RequestID(text: requestID)
        self.remote = remote
        self.rejection = rejection
    }

    /// An exchange that took `nanoseconds` (as the connection measures it).
    init(
        method: String, path: String, status: HTTPStatus, bodyBytes: Int, nanoseconds: Int64, id: RequestID, remote: String,
        rejection: Rejection?
    ) {
        self.method = method
        self.path = path
        self.status = status
        self.bodyBytes = bodyBytes
        self.nanoseconds = nanoseconds
        self.id = id
        self.remote = remote
        self.rejection = rejection
    }

    /// The same exchange with `bodyBytes` bytes of body (a streamed answer's, once it ends).
    func with(bodyBytes: Int) -> HTTPAccessLogEntry {
        HTTPAccessLogEntry(
            method: method, path: path, status: status, bodyBytes: bodyBytes, nanoseconds: nanoseconds, id: id, remote: remote,
            rejection: rejection)
    }

    /// Appends `requestID`'s text without making a `String` of a generated id.
    public func appendRequestID(to bytes: inout ByteStage) {
        id.append(to: &bytes)
    }

    /// `duration` truncated to whole nanoseconds, saturating at the ends of `Int64`.
    private static func wholeNanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflowAgain) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflowAgain { return seconds < 0 ? .min : .max }
        return total
    }
}

/// An HTTP/1.1 server on POSIX sockets and Dispatch.
///
/// `configuration.ioThreads` event loops (`EventLoop`) each own an epoll set, a poll thread, a
/// serial queue and the connections on it: socket I/O, parsing and connection state never leave
/// their loop. One acceptor (the listening socket's Dispatch source on `acceptQueue`) takes each
/// new socket, counts it against the connection cap and hands it to the next loop in turn.
/// Handlers run on one bounded `WorkerPool` shared by every loop, or inline on the loop's queue
/// when a route says so.
///
/// `@unchecked Sendable` because its mutable state (running, stopping, the listener, the bound
/// port, the loops, the round-robin index) is confined to `acceptQueue`: the public methods reach
/// it through `acceptQueue.sync`, and the accept source runs its handler on that queue. The
/// acceptor only ever waits on a loop's queue (never the reverse), so the two cannot deadlock.
/// Do not call `stop()`, `port` or `connectionCount` from a handler (they wait on the queues,
/// and `stop()` waits for handlers to finish).
///
///     var router = HTTPRouter()
///     router.add(.get, "/healthz", execution: .inline) { _ in HTTPResponse(status: 200, json: "{}") }
///     router.add(.post, "/forward") { request in HTTPResponse(status: 200, json: compute(request.body)) }
///     let server = HTTPServer(configuration: configuration, router: router) { entry in print(entry) }
///     let port = try server.start()      // port 0 in the configuration -> a free port
///     // on SIGTERM, from any queue but the server's: server.stop()
///     server.waitUntilStopped()
public final class HTTPServer: @unchecked Sendable {
    public let configuration: HTTPServerConfiguration
    let router: HTTPRouter
    let pool: WorkerPool
    private let acceptQueue = DispatchQueue(label: "HTTPServer.accept", qos: .userInitiated)
    /// Request bodies are reserved here as they arrive (see `HTTPConnection`); handlers share it.
    public let memory: MemoryBudget
    /// Connections, requests in flight, queue depth, draining: readable from any thread.
    public let gauges: HTTPServerGauges
    private let accessLog: (@Sendable (HTTPAccessLogEntry) -> Void)?

    private var listenSource: DispatchSourceRead?
    private var loops: [EventLoop] = []
    /// The loop the next accepted socket goes to.
    private var nextLoop = 0
    private var isStopping = false
    private var isRunning = false
    private var acceptPaused = false
    /// See `Socket.openReserve`; opened at start, closed at stop.
    private var reserveDescriptor: Int32 = -1
    /// The soft limit on open descriptors after `start` raised it to the hard limit.
    public private(set) var descriptorLimit = Int.max
    private var boundPort: Int?
    private let lifetime = DispatchGroup()
    /// Orders the moments connections fall idle, over every loop: a counter ticked when an
    /// answer is queued (see `HTTPConnection.idleOrder`), so the order across loops is the order
    /// in which their answers were queued.
    private let idleClock = Atomic<UInt64>(0)

    /// The next tick of `idleClock`.
    func nextIdleOrder() -> UInt64 { idleClock.add(1, ordering: .relaxed).newValue }

    public init(
        configuration: HTTPServerConfiguration = HTTPServerConfiguration(), router: HTTPRouter,
        memory: MemoryBudget = .unlimited, gauges: HTTPServerGauges = HTTPServerGauges(),
        accessLog: (@Sendable (HTTPAccessLogEntry) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.memory = memory
        self.gauges = gauges
        self.router = router
        self.accessLog = accessLog
        pool = WorkerPool(workers: configuration.workerCount, queueDepth: configuration.workerQueueDepth, gauges: gauges)
    }

    /// The bound port once started (the real one when the configuration asked for port 0).
    public var port: Int? { acceptQueue.sync { boundPort } }

    /// Open connections right now, over every loop (for tests and metrics).
    public var connectionCount: Int { connectionsPerLoop.reduce(0, +) }

    /// Open connections on each loop, in loop order (for tests).
    var connectionsPerLoop: [Int] {
        acceptQueue.sync { loops }.map { loop in loop.queue.sync { loop.connections.count } }
    }

    /// Event loops running (`configuration.ioThreads` while started, 0 before and after).
    public var eventLoopCount: Int { acceptQueue.sync { loops.count } }

    /// Binds, listens and starts serving; returns the bound port. Throws if binding fails or the
    /// server was already started.
    @discardableResult
    public func start() throws -> Int {
        try acceptQueue.sync {
            guard !isRunning, !isStopping else { throw HTTPServerError.alreadyStarted }
            let (fd, port): (Int32, Int)
            do {
                (fd, port) = try Socket.listen(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
            } catch {
                throw HTTPServerError.bindFailed("\(error)")
            }
            var started: [EventLoop] = []
            for index in 0..<max(1, configuration.ioThreads) {
                guard let loop = EventLoop(index: index, server: self) else {
                    for loop in started { loop.queue.sync { loop.finish() } }
                    Socket.close(fd)
                    throw HTTPServerError.bindFailed("epoll_create1 failed: out of descriptors")
                }
                loop.start(index: index)
                started.append(loop)
            }
            loops = started
            descriptorLimit = Socket.raiseDescriptorLimit()
            reserveDescriptor = Socket.openReserve()
            let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: acceptQueue)
            source.setEventHandler { [self] in acceptPending(fd) }
            source.setCancelHandler { Socket.close(fd) }
            source.resume()
            listenSource = source
            boundPort = port
            isRunning = true
            lifetime.enter()
            return port
        }
    }

    /// Graceful stop: stop accepting, close idle connections, let in-flight requests finish
    /// (up to `drainTimeout`), close the rest, return. Safe to call more than once.
    public func stop() {
        let loops: [EventLoop]? = acceptQueue.sync {
            guard isRunning, !isStopping else { return nil }
            isStopping = true
            gauges.drainingFlag.store(true, ordering: .releasing)
            resumeAccepting()  // a suspended source must not be released
            listenSource?.cancel()
            listenSource = nil
            return self.loops
        }
        guard let loops else {
            waitUntilStopped()
            return
        }
        // Sockets handed over before the listener closed are queued ahead of this on their loop:
        // they are adopted, then closed as idle.
        for loop in loops { loop.queue.sync { loop.beginStopping() } }
        let deadline = DispatchTime.now() + configuration.drainTimeout.dispatchInterval
        for loop in loops { _ = loop.drained.wait(timeout: deadline) }
        // What the deadline cut is logged as such (503, rejected "drain") as it closes.
        for loop in loops { loop.queue.sync { loop.finish() } }
        acceptQueue.sync {
            if reserveDescriptor >= 0 {
                Socket.close(reserveDescriptor)
                reserveDescriptor = -1
            }
            isRunning = false
            self.loops = []  // each loop holds the server: the cycle ends here
        }
        lifetime.leave()
    }

    /// Blocks until `stop()` has finished (returns at once if the server never started).
    public func waitUntilStopped() {
        lifetime.wait()
    }

    /// Connections accepted per readiness of the listener before other work gets its turn.
    private static let acceptsPerWakeUp = 64

    /// Out of descriptors, how long accepting pauses: closing connections frees some meanwhile,
    /// and a listener that stays readable is not spun on.
    private static let acceptPause = DispatchTimeInterval.milliseconds(100)

    // MARK: accept queue only

    private func acceptPending(_ listener: Int32) {
        for _ in 0..<Self.acceptsPerWakeUp {
            guard !isStopping, !acceptPaused else { return }
            switch Socket.accept(listener) {
            case .nonePending:
                return
            case .exhausted:
                // Out of descriptors is "at the cap" too: close the connection idle the longest
                // and accept again, or answer the next client 503 through the reserve
                // descriptor; only when neither frees one does accepting pause.
                if evictLongestIdle() || refuseThroughReserve(listener) { continue }
                pauseAccepting()
                return
            case .accepted(let fd):
                // Only the acceptor adds to the count, so the cap is exact across loops.
                guard gauges.openConnections.load(ordering: .relaxed) < configuration.maxConnections || evictLongestIdle() else {
                    refuse(fd)
                    continue
                }
                gauges.openConnections.add(1, ordering: .relaxed)
                let loop = loops[nextLoop]
                nextLoop = (nextLoop + 1) % loops.count
                loop.queue.async { loop.adopt(fd) }
            }
        }
    }

    /// At the connection cap, the connection idle the longest (over every loop) with no request
    /// in progress is closed to make room, so a flood of idle connections cannot lock new
    /// clients (health checks included) out until the idle timeout. False when every
    /// connection is busy.
    private func evictLongestIdle() -> Bool {
        var oldest: (loop: EventLoop, connection: HTTPConnection, order: UInt64)?
        for loop in loops {
            guard let candidate = loop.queue.sync(execute: { loop.longestIdle() }) else { continue }
            if oldest == nil || candidate.order < oldest!.order { oldest = (loop, candidate.connection, candidate.order) }
        }
        guard let oldest else { return false }
        // Still idle when its loop gets to it (a request may have arrived meanwhile): closed,
        // and the count drops before the new socket is counted.
        return oldest.loop.queue.sync {
            guard oldest.connection.isIdle else { return false }
            oldest.connection.close()
            return true
        }
    }

    /// With every descriptor in use: gives up the reserve, accepts one client and answers it
    /// 503 (`refuse`), then takes the reserve back. False when there is no reserve or no client.
    private func refuseThroughReserve(_ listener: Int32) -> Bool {
        guard reserveDescriptor >= 0 else { return false }
        Socket.close(reserveDescriptor)
        reserveDescriptor = -1
        defer { reserveDescriptor = Socket.openReserve() }
        guard case .accepted(let fd) = Socket.accept(listener) else { return false }
        refuse(fd)
        return true
    }

    /// Out of descriptors: stop listening for a while (see `acceptPause`).
    private func pauseAccepting() {
        guard let source = listenSource else { return }
        acceptPaused = true
        source.suspend()
        acceptQueue.asyncAfter(deadline: .now() + Self.acceptPause) { [self] in
            resumeAccepting()
        }
    }

    private func resumeAccepting() {
        guard acceptPaused, let source = listenSource else { return }
        acceptPaused = false
        source.resume()
    }

    /// Over the connection cap: a best-effort 503 on a fresh socket (its buffer is empty, so the
    /// small response fits), then close.
    private func refuse(_ fd: Int32) {
        let response = HTTPResponse.problem(
            status: .serviceUnavailable, detail: "too many open connections", headers: configuration.retryAfterHeaders)
        _ = Socket.send(fd, HTTPResponseEncoder.encode(response, keepAlive: false, date: HTTPDate.now()), from: 0)
        let remote = Socket.peerAddress(fd)
        Socket.shutdownWrite(fd)
        Socket.close(fd)
        logAccess(
            HTTPAccessLogEntry(
                method: "-", path: "-", status: .serviceUnavailable, bodyBytes: response.body.count, duration: .zero,
                remote: remote, rejection: .connections))
    }

    func logAccess(_ entry: HTTPAccessLogEntry) {
        accessLog?(entry)
    }
}

public enum HTTPServerError: Error, CustomStringConvertible {
    case alreadyStarted
    /// Could not resolve, bind or listen; the text says which call failed and why.
    case bindFailed(String)

    public var description: String {
        switch self {
        case .alreadyStarted: "the server was already started"
        case .bindFailed(let reason): reason
        }
    }
}
