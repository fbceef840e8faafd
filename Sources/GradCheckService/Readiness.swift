import HTTPServer

/// The rule behind `GET /readyz`: ready while the server would take new work. A load balancer
/// that sees 503 sends work elsewhere; `/healthz` (liveness) stays 200 meanwhile, so an
/// orchestrator does not restart a server that is merely busy or draining.
public struct Readiness: Sendable {
    let gauges: HTTPServerGauges
    let memory: MemoryBudget
    /// The worker queue's capacity: at it, the next request would be answered 503.
    let queueCapacity: Int

    /// Reserved share of the memory budget at which the server reports not ready: "nearly full",
    /// so balancers move away before requests start getting 503s.
    public static let memoryThreshold = 0.9

    /// Why the server is not ready: the `reason` of a 503 from `/readyz`, the one list the
    /// OpenAPI document's enum is held to.
    public enum NotReady: String, Sendable, CaseIterable {
        /// SIGTERM arrived; in-flight requests finish, new ones go elsewhere.
        case draining
        /// The worker queue is at its capacity: the next request would be a 503.
        case queueFull = "queue_full"
        /// Reserved memory is at `memoryThreshold` of the budget.
        case memoryFull = "memory_full"
    }

    /// Nil when ready, else why not.
    public var refusal: NotReady? {
        if gauges.isDraining { return .draining }
        if gauges.queueDepth >= queueCapacity { return .queueFull }
        if Double(memory.reservedBytes) >= Double(memory.limit) * Self.memoryThreshold { return .memoryFull }
        return nil
    }
}
