import Synchronization

/// What the server is doing right now, over all its event loops, readable from any thread without
/// waiting on their queues: a readiness probe or a metrics scrape answered inline runs *on* a
/// loop's queue, so it cannot ask the server through `queue.sync`. The acceptor, the loops and the
/// worker pool keep these up to date; everyone else only reads them.
public final class HTTPServerGauges: Sendable {
    let openConnections = Atomic<Int>(0)
    let requestsInFlight = Atomic<Int>(0)
    let queuedJobs = Atomic<Int>(0)
    let drainingFlag = Atomic<Bool>(false)

    public init() {}

    /// Connections accepted and not yet closed.
    public var connectionsOpen: Int { openConnections.load(ordering: .relaxed) }
    /// Requests read and dispatched whose answer has not been queued for writing yet.
    public var inFlight: Int { requestsInFlight.load(ordering: .relaxed) }
    /// Requests waiting for a free worker.
    public var queueDepth: Int { queuedJobs.load(ordering: .relaxed) }
    /// True from the moment `stop()` begins: the server takes no new work.
    public var isDraining: Bool { drainingFlag.load(ordering: .acquiring) }
}
