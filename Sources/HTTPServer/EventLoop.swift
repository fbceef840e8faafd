import Dispatch
import Foundation
import Synchronization

/// One I/O thread of the server: its own epoll set, poll thread, serial queue and connections.
/// The server runs `HTTPServerConfiguration.ioThreads` of them; its acceptor hands each new
/// socket to the next loop in turn, and a connection stays on its loop for life. What the loops
/// share lives on the server and is thread-safe: the worker pool, the memory budget, the gauges,
/// the router and the access log.
///
/// `@unchecked Sendable` because its mutable state (the connection table, the stop flag, the
/// cached date, the read scratch) is confined to `queue`: the poll thread reaches it through
/// `queue.sync`, the server's methods through `queue.sync` / `queue.async`, and the sweep timer
/// runs on `queue`. `pollStopped` is atomic.
final class EventLoop: @unchecked Sendable {
    let queue: DispatchQueue
    let poll: EventPoll
    let server: HTTPServer
    /// The server's timeouts, ready for its connections' deadlines.
    let timeouts: TimeoutIntervals
    private let pollStopped = Atomic<Bool>(false)
    /// Open connections by their poll token (never reused, unlike descriptor numbers).
    private(set) var connections: [UInt64: HTTPConnection] = [:]
    private var nextToken: UInt64 = 1
    /// Set by the server's `stop()`: connections answer with `Connection: close` and idle ones
    /// close; a socket handed over afterwards is closed at once.
    private(set) var isStopping = false
    private var isFinished = false
    private var sweepTimer: DispatchSourceTimer?
    private var cachedDate: (second: Int, text: String) = (0, "")
    /// Signalled once this loop is stopping and has no connection left.
    let drained = DispatchSemaphore(value: 0)
    /// Every connection of this loop reads into this one buffer and copies out what arrived:
    /// reads happen only on `queue`, one at a time.
    let readScratch: UnsafeMutableRawBufferPointer

    /// Nil when the kernel refuses an epoll set (out of descriptors).
    init?(index: Int, server: HTTPServer) {
        guard let poll = EventPoll() else { return nil }
        self.poll = poll
        self.server = server
        timeouts = TimeoutIntervals(server.configuration)
        queue = DispatchQueue(label: "HTTPServer.io.\(index)", qos: .userInitiated)
        readScratch = .allocate(byteCount: max(1, server.configuration.readChunkBytes), alignment: 16)
    }

    deinit {
        readScratch.deallocate()
    }

    /// Starts the poll thread and the sweep timer.
    func start(index: Int) {
        startPollThread(name: "HTTPServer.poll.\(index)")
        queue.sync { sweepTimer = makeSweepTimer() }
    }

    /// The longest the poll thread sleeps in epoll_wait: how late it may notice `finish()`.
    private static let pollWakeMilliseconds: Int32 = 100

    /// The sweep that closes timed-out connections runs four times per shortest timeout (so one
    /// is closed at most a quarter late), but not more often than every 10 ms nor less often
    /// than every second; Dispatch may shift it by 5 ms to batch wake-ups.
    private static let sweepsPerTimeout = 4
    private static let sweepInterval = Duration.milliseconds(10)...Duration.seconds(1)
    private static let sweepLeeway = DispatchTimeInterval.milliseconds(5)

    /// The poll thread blocks in epoll_wait and handles each batch on the loop's queue with
    /// `sync`, which runs the block on this very thread when the queue is free: a client's bytes
    /// reach their connection without any thread hand-off.
    private func startPollThread(name: String) {
        let poll = self.poll
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
                queue.sync {
                    for ready in batch { connections[ready.token]?.handle(ready) }
                }
            }
        }
        thread.name = name
        thread.start()
    }

    // MARK: on `queue` only

    /// A socket the acceptor took (already counted in the gauge): becomes a connection of this loop.
    func adopt(_ fd: Int32) {
        guard !isStopping, !isFinished else {
            Socket.close(fd)
            server.gauges.openConnections.subtract(1, ordering: .relaxed)
            if isStopping && connections.isEmpty { drained.signal() }
            return
        }
        let connection = HTTPConnection(fd: fd, token: nextToken, loop: self)
        nextToken += 1
        connections[connection.token] = connection
        connection.start()
    }

    /// The connection idle the longest with no request in progress, and its place in the
    /// server-wide idle order.
    func longestIdle() -> (connection: HTTPConnection, order: UInt64)? {
        var oldest: HTTPConnection?
        for connection in connections.values where connection.isIdle {
            if oldest == nil || connection.idleOrder < oldest!.idleOrder { oldest = connection }
        }
        return oldest.map { ($0, $0.idleOrder) }
    }

    func connectionClosed(_ connection: HTTPConnection) {
        if connections.removeValue(forKey: connection.token) != nil {
            server.gauges.openConnections.subtract(1, ordering: .relaxed)
        }
        if isStopping && connections.isEmpty { drained.signal() }
    }

    /// Graceful stop begins: idle connections close, in-flight ones finish.
    func beginStopping() {
        isStopping = true
        for connection in Array(connections.values) { connection.serverIsStopping() }
        if connections.isEmpty { drained.signal() }
    }

    /// The drain is over: what is left is closed, the sweep and the poll thread stop.
    func finish() {
        isFinished = true
        for connection in Array(connections.values) { connection.cutByDrain() }
        sweepTimer?.cancel()
        sweepTimer = nil
        pollStopped.store(true, ordering: .releasing)  // the thread closes the set on its way out
    }

    /// The `Date` header value for an answer queued at `now`, formatted at most once per
    /// second. The caller reads the clock once for the answer's date, its log line and its
    /// deadline: each read costs a call into the vDSO.
    func date(at now: DispatchTime) -> String {
        let second = Int(now.uptimeNanoseconds / 1_000_000_000)
        if second != cachedDate.second || cachedDate.text.isEmpty { cachedDate = (second, HTTPDate.now()) }
        return cachedDate.text
    }

    private func makeSweepTimer() -> DispatchSourceTimer {
        let configuration = server.configuration
        let shortest = [
            configuration.headerTimeout, configuration.bodyTimeout, configuration.keepAliveTimeout,
            configuration.writeTimeout, configuration.lingerTimeout,
        ].min()!
        let interval = min(max(shortest / Self.sweepsPerTimeout, Self.sweepInterval.lowerBound), Self.sweepInterval.upperBound)
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + interval.dispatchInterval, repeating: interval.dispatchInterval, leeway: Self.sweepLeeway)
        timer.setEventHandler { [self] in
            let now = DispatchTime.now()
            for connection in Array(connections.values) { connection.closeIfExpired(now: now) }
        }
        timer.resume()
        return timer
    }
}
