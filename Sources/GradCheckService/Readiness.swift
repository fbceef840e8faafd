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

    /// Nil when ready, else why not: `draining`, `queue_full` or `memory_full`.
    public var refusal: String? {
        if gauges.isDraining { return "draining" }
        if gauges.queueDepth >= queueCapacity { return "queue_full" }
        if Double(memory.reservedBytes) >= Double(memory.limit) * Self.memoryThreshold { return "memory_full" }
        return nil
    }
}
