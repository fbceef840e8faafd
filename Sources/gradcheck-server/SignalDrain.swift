import Dispatch
import Foundation
import HTTPServer

/// Takes SIGTERM and SIGINT from their default action and delivers them to Dispatch sources that
/// drain `server` (stop accepting, finish in-flight requests). Lives outside main.swift so the
/// handlers are not tied to the main actor: they run on a global queue while main waits.
func drainOnSignals(_ server: HTTPServer) -> [DispatchSourceSignal] {
    [SIGTERM, SIGINT].map { signalNumber in
        signal(signalNumber, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
        source.setEventHandler {
            FileHandle.standardError.write(Data("gradcheck-server: signal \(signalNumber), draining\n".utf8))
            server.stop()
        }
        source.resume()
        return source
    }
}
