import Dispatch
import Foundation
import Testing

@testable import HTTPServer

/// A finished job must not stay alive in the pool: its closure holds the request it served
/// (bodies of megabytes), and a burst of queued requests once stayed resident until the queue
/// array was next compacted (64 jobs later).
@Suite struct WorkerPoolTests {
    final class Payload: Sendable {}

    @Test func aQueuedJobIsFreedOnceItHasRun() throws {
        let pool = WorkerPool(workers: 1, queueDepth: 8)
        let gate = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        #expect(pool.submit { gate.wait() })  // holds the only worker, so the next ones queue
        weak var watched: Payload?
        do {
            let payload = Payload()
            watched = payload
            #expect(
                pool.submit {
                    withExtendedLifetime(payload) {}
                    done.signal()
                })
        }
        #expect(watched != nil, "the queued job still holds its payload")
        gate.signal()
        #expect(done.wait(timeout: .now() + 5) == .success)
        // The worker drops the slot before running the job; give it a moment to return.
        var freed = false
        for _ in 0..<100 where !freed {
            freed = watched == nil
            if !freed { usleep(10_000) }
        }
        #expect(freed, "the pool kept the finished job (and what it captured) alive")
    }
}
