import Dispatch
import Synchronization

/// Runs at most `workers` jobs at once with at most `queueDepth` waiting; `submit` refuses beyond
/// that so the caller can answer 503 instead of queueing without bound.
final class WorkerPool: Sendable {
    typealias Job = @Sendable () -> Void

    private struct State {
        var running = 0
        /// Jobs not yet started from `head` on; a taken slot is set to nil at once, so a finished
        /// job's closure (and the request body it captured) is freed now, not when the array is
        /// next compacted.
        var waiting: [Job?] = []
        var head = 0
        var waitingCount: Int { waiting.count - head }
    }

    /// Taken slots at the front of `waiting` are dropped once there are more than this many and
    /// they are over half the array: compacting is a copy, so it waits until it frees enough to pay.
    private static let compactionSlack = 64

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
            guard state.waitingCount < queueDepth else { return nil }
            state.waiting.append(job)
            gauges.queuedJobs.store(state.waitingCount, ordering: .relaxed)
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
                guard state.waitingCount > 0 else {
                    state.running -= 1
                    return nil
                }
                let job = state.waiting[state.head]
                state.waiting[state.head] = nil
                state.head += 1
                gauges.queuedJobs.store(state.waitingCount, ordering: .relaxed)
                if state.head > Self.compactionSlack && state.head * 2 > state.waiting.count {
                    state.waiting.removeFirst(state.head)
                    state.head = 0
                }
                return job
            }
        }
    }
}
