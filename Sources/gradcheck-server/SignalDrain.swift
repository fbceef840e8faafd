import Foundation
import HTTPServer

/// SIGTERM and SIGINT, the signals that drain the server.
private func stopSignalSet() -> sigset_t {
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGTERM)
    sigaddset(&set, SIGINT)
    return set
}

/// Blocks SIGTERM and SIGINT in the calling thread. Call it first, before any thread starts:
/// every thread inherits its creator's mask, so no thread of the process then takes them, and
/// they stay pending for the process until `drainOnSignals`'s thread takes them with sigwait(2).
///
/// Why not Dispatch signal sources: on Linux they read a signalfd from Dispatch's manager
/// thread, and a SIGTERM once stayed pending on that thread while it slept in epoll_wait, so the
/// server never drained (seen in the test suite, rarely). sigwait on a thread of its own, with
/// the signals blocked everywhere, cannot miss one. It also works when a parent starts the server
/// with the signals already blocked (Foundation's `Process` run from a Dispatch worker does).
func blockStopSignals() {
    var set = stopSignalSet()
    pthread_sigmask(SIG_BLOCK, &set, nil)
}

/// Waits for SIGTERM or SIGINT on a thread of its own and drains `server` (stop accepting,
/// finish in-flight requests) on each; `announce` says which signal came.
func drainOnSignals(_ server: HTTPServer, announce: @escaping @Sendable (Int32) -> Void) {
    let thread = Thread {
        var set = stopSignalSet()
        // Blocked here too, whatever mask the thread started with: between two sigwait calls a
        // second signal then waits for the next one instead of taking its default action.
        pthread_sigmask(SIG_BLOCK, &set, nil)
        while true {
            var received: Int32 = 0
            guard sigwait(&set, &received) == 0 else { continue }
            announce(received)
            server.stop()
        }
    }
    thread.name = "gradcheck-signals"
    thread.start()
}
