import DequeModule
import Dispatch
import Synchronization

/// Runs at most `workers` jobs at once with at most `queueDepth` waiting; `submit` refuses beyond
/// that so the caller can answer 503 instead of queueing without bound.
final class WorkerPool: Sendable {
    typealias Job = @Sendable () -> Void

    private struct State {
        var running = 0
        /// Jobs not yet started, oldest first. A ring buffer: taking the oldest releases its
        /// closure (and the request body it captured) at once, without shifting the rest.
        var waiting: Deque<Job> = []
    }

    private let workers: Int
    private let queueDepth: Int
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "HTTPServer.workers", qos: .userInitiated, attributes: .concurrent)
    /// Where the number of waiting jobs is published (stored under the lock, read without it).
    private let gauges: HTTPServerGauges

    init(workers: Int, queueDepth: Int, gauges: HTTPServerGauges = HTTPServerGauges()) {
        self.workers = max(1, workers)
        self.queueDepth = max(0, queueDepth)
        self.gauges = gauges
    }

    /// False when every worker is busy and the queue is full.
    func submit(_ job: @escaping Job) -> Bool {
        let startNow: Bool? = state.withLock { state in
            if state.running < workers {
                state.running += 1
                return true
            }
            guard state.waiting.count < queueDepth else { return nil }
            state.waiting.append(job)
            gauges.queuedJobs.store(state.waiting.count, ordering: .relaxed)
            return false
        }
        guard let startNow else { return false }
        if startNow { queue.async { self.run(job) } }
        return true
    }

    /// Runs `job`, then keeps this worker busy with waiting jobs until none are left.
    private func run(_ job: @escaping Job) {
        var next: Job? = job
        while let current = next {
            current()
            next = state.withLock { state in
                guard let job = state.waiting.popFirst() else {
                    state.running -= 1
                    return nil
                }
                gauges.queuedJobs.store(state.waiting.count, ordering: .relaxed)
                return job
            }
        }
    }
}
