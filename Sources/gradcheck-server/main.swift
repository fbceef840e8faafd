import Dispatch
import Foundation
import GradCheckService
import HTTPServer

// Reads configuration, starts the service, and drains it on SIGTERM / SIGINT (exit 0).

/// One unbuffered write per line: log lines reach `docker logs` at once and never interleave.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("gradcheck-server: \(message)\n".utf8))
    exit(code)
}

let options: ServerOptions
do {
    switch try ServerOptions.parse(Array(CommandLine.arguments.dropFirst()),
                                   environment: ProcessInfo.processInfo.environment) {
    case .help:
        say(ServerOptions.usage)
        exit(0)
    case let .run(parsed):
        options = parsed
    }
} catch {
    fail("\(error)", code: 2)
}

var accessLog: (@Sendable (HTTPAccessLogEntry) -> Void)?
if options.accessLog {
    accessLog = { @Sendable entry in say(GradCheckApplication.accessLogLine(entry)) }
}
let server = GradCheckApplication.makeServer(options, accessLog: accessLog)

let port: Int
do {
    port = try server.start()
} catch {
    fail("cannot listen on \(options.host):\(options.port): \(error)", code: 1)
}
say("gradcheck-server listening on http://\(options.host):\(port)")
let budget = GradCheckApplication.memoryBudget(options)
say("gradcheck-server memory budget \(budget.bytes) bytes (\(budget.source))")

let signalSources = drainOnSignals(server)
server.waitUntilStopped()
say("gradcheck-server stopped")
withExtendedLifetime(signalSources) {}
exit(0)
