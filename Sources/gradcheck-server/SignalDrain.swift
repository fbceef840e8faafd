import Dispatch
import Foundation
import HTTPServer

/// Takes SIGTERM and SIGINT from their default action and delivers them to Dispatch sources that
/// drain `server` (stop accepting, finish in-flight requests). Lives outside main.swift so the
/// handlers are not tied to the main actor: they run on a global queue while main waits.
func drainOnSignals(_ server: HTTPServer, announce: @escaping @Sendable (Int32) -> Void) -> [DispatchSourceSignal] {
    [SIGTERM, SIGINT].map { signalNumber in
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
