import Dispatch
import Foundation
import Synchronization

/// One line of the access log, produced once per response.
public struct HTTPAccessLogEntry: Sendable {
    /// "-" when the request could not be parsed.
    public let method: String
    public let path: String
    public let status: HTTPStatus
    /// Bytes of the response body (Content-Length), not counting headers.
    public let bodyBytes: Int
    /// From the first byte of the request to the response being queued for writing.
    public let duration: Duration
    /// The `X-Request-Id` the response carried ("-" for a connection refused before any request).
    public let requestID: String
    /// The client's address and port.
    public let remote: String
    /// Why the server or a handler turned the request away (see `HTTPResponse.rejection`), if it did.
    public let rejection: String?

    public init(
        method: String, path: String, status: HTTPStatus, bodyBytes: Int, duration: Duration,
        requestID: String = "-", remote: String = "-", rejection: String? = nil
    ) {
        self.method = method
        self.path = path
        self.status = status
        self.bodyBytes = bodyBytes
        self.duration = duration
        self.requestID = requestID
        self.remote = remote
        self.rejection = rejection
    }
}

/// An HTTP/1.1 server on POSIX sockets and Dispatch.
///
/// All socket I/O, parsing and connection state live on one serial queue (`ioQueue`); handlers
/// run on a bounded `WorkerPool`, or inline on the I/O queue when a route says so.
///
/// `@unchecked Sendable` because its mutable state is confined to `ioQueue`: the public methods
/// and the poll thread reach it only through `ioQueue.sync`, and the accept source and sweep
/// timer run their handlers on that queue.
/// Do not call `stop()`, `port` or `connectionCount` from a handler (they wait on the I/O queue,
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
    let ioQueue = DispatchQueue(label: "HTTPServer.io", qos: .userInitiated)
    /// Request bodies are reserved here as they arrive (see `HTTPConnection`); handlers share it.
    public let memory: MemoryBudget
    /// Connections, requests in flight, queue depth, draining: readable from any thread.
    public let gauges: HTTPServerGauges
    private let accessLog: (@Sendable (HTTPAccessLogEntry) -> Void)?

    private var listenSource: DispatchSourceRead?
    private var sweepTimer: DispatchSourceTimer?
    /// Every connection's descriptor, waited on by the poll thread (see `EventPoll`).
    private(set) var poll: EventPoll?
    private let pollStopped = Atomic<Bool>(false)
    /// Open connections by their poll token (never reused, unlike descriptor numbers).
    private var connections: [UInt64: HTTPConnection] = [:]
    private var nextToken: UInt64 = 1
    private(set) var isStopping = false
    private var isRunning = false
    private var acceptPaused = false
    /// See `Socket.openReserve`; opened at start, closed at stop.
    private var reserveDescriptor: Int32 = -1
    /// The soft limit on open descriptors after `start` raised it to the hard limit.
    public private(set) var descriptorLimit = Int.max
    private var boundPort: Int?
    private var cachedDate: (second: Int, text: String) = (0, "")
    private let drained = DispatchSemaphore(value: 0)
    private let lifetime = DispatchGroup()
    /// Every connection reads into this one buffer and copies out what arrived: reads happen only
    /// on `ioQueue`, one at a time, so one chunk of memory serves all connections.
    let readScratch: UnsafeMutableRawBufferPointer

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
        readScratch = .allocate(byteCount: max(1, configuration.readChunkBytes), alignment: 16)
    }

    deinit {
        readScratch.deallocate()
    }

    /// The bound port once started (the real one when the configuration asked for port 0).
    public var port: Int? { ioQueue.sync { boundPort } }

    /// Open connections right now (for tests and metrics).
    public var connectionCount: Int { ioQueue.sync { connections.count } }

    /// Binds, listens and starts serving; returns the bound port. Throws if binding fails or the
    /// server was already started.
    @discardableResult
    public func start() throws -> Int {
        try ioQueue.sync {
            guard !isRunning, !isStopping else { throw HTTPServerError.alreadyStarted }
            let (fd, port): (Int32, Int)
            do {
                (fd, port) = try Socket.listen(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
            } catch {
                throw HTTPServerError.bindFailed("\(error)")
            }
            guard let poll = EventPoll() else {
                Socket.close(fd)
                throw HTTPServerError.bindFailed("epoll_create1 failed: out of descriptors")
            }
            self.poll = poll
            descriptorLimit = Socket.raiseDescriptorLimit()
            reserveDescriptor = Socket.openReserve()
            startPollThread(poll)
            let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: ioQueue)
            source.setEventHandler { [self] in acceptPending(fd) }
            source.setCancelHandler { Socket.close(fd) }
            source.resume()
            listenSource = source
            sweepTimer = makeSweepTimer()
            boundPort = port
            isRunning = true
            lifetime.enter()
            return port
        }
    }

    /// Graceful stop: stop accepting, close idle connections, let in-flight requests finish
    /// (up to `drainTimeout`), close the rest, return. Safe to call more than once.
    public func stop() {
        let first: Bool = ioQueue.sync {
            guard isRunning, !isStopping else { return false }
            isStopping = true
            gauges.drainingFlag.store(true, ordering: .releasing)
            resumeAccepting()  // a suspended source must not be released
            listenSource?.cancel()
            listenSource = nil
            for connection in Array(connections.values) { connection.serverIsStopping() }
            if connections.isEmpty { drained.signal() }
            return true
        }
        guard first else {
            waitUntilStopped()
            return
        }
        _ = drained.wait(timeout: .now() + configuration.drainTimeout.dispatchInterval)
        ioQueue.sync {
            for connection in Array(connections.values) { connection.cutByDrain() }
            if reserveDescriptor >= 0 {
                Socket.close(reserveDescriptor)
                reserveDescriptor = -1
            }
            sweepTimer?.cancel()
            sweepTimer = nil
            pollStopped.store(true, ordering: .releasing)  // the thread closes the set on its way out
            isRunning = false
        }
        lifetime.leave()
    }

    /// Blocks until `stop()` has finished (returns at once if the server never started).
    public func waitUntilStopped() {
        lifetime.wait()
    }

    /// The longest the poll thread sleeps in epoll_wait: how late it may notice `stop()`.
    private static let pollWakeMilliseconds: Int32 = 100

    /// Connections accepted per readiness of the listener before reads get their turn, so a flood
    /// of connects cannot starve reads on existing connections.
    private static let acceptsPerWakeUp = 64

    /// Out of descriptors, how long accepting pauses: closing connections frees some meanwhile,
    /// and a listener that stays readable is not spun on.
    private static let acceptPause = DispatchTimeInterval.milliseconds(100)

    /// The sweep that closes timed-out connections runs four times per shortest timeout (so one
    /// is closed at most a quarter late), but not more often than every 10 ms nor less often
    /// than every second; Dispatch may shift it by 5 ms to batch wake-ups.
    private static let sweepsPerTimeout = 4
    private static let sweepInterval = Duration.milliseconds(10)...Duration.seconds(1)
    private static let sweepLeeway = DispatchTimeInterval.milliseconds(5)

    /// The poll thread blocks in epoll_wait and handles each batch on the I/O queue with `sync`,
    /// which runs the block on this very thread when the queue is free: a client's bytes reach
    /// their connection without any thread hand-off. It wakes at least every `pollWakeMilliseconds`
    /// milliseconds to notice `stop()`.
    private func startPollThread(_ poll: EventPoll) {
        let thread = Thread { [self] in
            let tokens = UnsafeMutablePointer<UInt64>.allocate(capacity: EventPoll.batch)
            let flags = UnsafeMutablePointer<UInt32>.allocate(capacity: EventPoll.batch)
            defer {
                tokens.deallocate()
                flags.deallocate()
                poll.close()
            }
            while !pollStopped.load(ordering: .acquiring) {
                let batch = poll.wait(timeoutMilliseconds: Self.pollWakeMilliseconds, tokens: tokens, flags: flags)
                guard !batch.isEmpty else { continue }
                ioQueue.sync {
                    for ready in batch { connections[ready.token]?.handle(ready) }
                }
            }
        }
        thread.name = "HTTPServer.poll"
        thread.start()
    }

    // MARK: I/O queue only

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
                guard connections.count < configuration.maxConnections || evictLongestIdle() else {
                    refuse(fd)
                    continue
                }
                let connection = HTTPConnection(fd: fd, token: nextToken, server: self)
                nextToken += 1
                connections[connection.token] = connection
                gauges.openConnections.add(1, ordering: .relaxed)
                connection.start()
            }
        }
    }

    /// At the connection cap, the connection idle the longest with no request in progress is
    /// closed to make room, so a flood of idle connections cannot lock new clients (health
    /// checks included) out until the idle timeout. False when every connection is busy.
    private func evictLongestIdle() -> Bool {
        var oldest: HTTPConnection?
        for connection in connections.values where connection.isIdle {
            if oldest == nil || connection.idleSince < oldest!.idleSince { oldest = connection }
        }
        guard let oldest else { return false }
        oldest.close()
        return true
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
        ioQueue.asyncAfter(deadline: .now() + Self.acceptPause) { [self] in
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
        _ = Socket.send(fd, HTTPResponseEncoder.encode(response, keepAlive: false, date: currentDate), from: 0)
        let remote = Socket.peerAddress(fd)
        Socket.shutdownWrite(fd)
        Socket.close(fd)
        logAccess(
            HTTPAccessLogEntry(
                method: "-", path: "-", status: .serviceUnavailable, bodyBytes: response.body.count, duration: .zero,
                remote: remote, rejection: "connections"))
    }

    private func makeSweepTimer() -> DispatchSourceTimer {
        let shortest = [
            configuration.headerTimeout, configuration.bodyTimeout, configuration.keepAliveTimeout,
            configuration.writeTimeout, configuration.lingerTimeout,
        ].min()!
        let interval = min(max(shortest / Self.sweepsPerTimeout, Self.sweepInterval.lowerBound), Self.sweepInterval.upperBound)
        let timer = DispatchSource.makeTimerSource(queue: ioQueue)
        timer.schedule(deadline: .now() + interval.dispatchInterval, repeating: interval.dispatchInterval, leeway: Self.sweepLeeway)
        timer.setEventHandler { [self] in
            let now = DispatchTime.now()
            for connection in Array(connections.values) { connection.closeIfExpired(now: now) }
        }
        timer.resume()
        return timer
    }

    func connectionClosed(_ connection: HTTPConnection) {
        if connections.removeValue(forKey: connection.token) != nil {
            gauges.openConnections.subtract(1, ordering: .relaxed)
        }
        if isStopping && connections.isEmpty { drained.signal() }
    }

    /// The `Date` header value, formatted at most once per second.
    var currentDate: String {
        let second = Int(DispatchTime.now().uptimeNanoseconds / 1_000_000_000)
        if second != cachedDate.second || cachedDate.text.isEmpty { cachedDate = (second, HTTPDate.now()) }
        return cachedDate.text
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
