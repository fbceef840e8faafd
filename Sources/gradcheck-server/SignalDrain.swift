import Dispatch
import Foundation
import HTTPServer

/// Takes SIGTERM and SIGINT from their default action and delivers them to Dispatch sources that
/// drain `server` (stop accepting, finish in-flight requests). Lives outside main.swift so the
/// handlers are not tied to the main actor: they run on a global queue while main waits.
///
/// A parent may start the server with these signals blocked (a thread of a supervisor, or
/// Foundation's `Process` run from a Dispatch worker, hands down its mask): they would then stay
/// pending forever and the server could not be stopped. The calling thread unblocks them first,
/// as a shell-started server has them.
func drainOnSignals(_ server: HTTPServer, announce: @escaping @Sendable (Int32) -> Void) -> [DispatchSourceSignal] {
    var stopSignals = sigset_t()
    sigemptyset(&stopSignals)
    sigaddset(&stopSignals, SIGTERM)
    sigaddset(&stopSignals, SIGINT)
    pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
    return [SIGTERM, SIGINT].map { signalNumber in
        signal(signalNumber, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
        source.setEventHandler {
            announce(signalNumber)
            server.stop()
        }
        source.resume()
        return source
    }
}
