import Dispatch
import Foundation
import GradCheckService
import HTTPServer

// Reads configuration, starts the service, and drains it on SIGTERM / SIGINT (exit 0).

/// Every line on stdout goes through one buffer: access lines in batches (at least every 100 ms,
/// see `BufferedLogWriter`), lifecycle lines at once with whatever access lines precede them, so
/// lines keep their order and never interleave.
let logWriter = BufferedLogWriter(fileDescriptor: STDOUT_FILENO)

func say(_ line: String) {
    logWriter.write(line: line, flush: true)
}

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("gradcheck-server: \(message)\n".utf8))
    exit(code)
}

let environment = ProcessInfo.processInfo.environment
let options: ServerOptions
do {
    switch try ServerOptions.parse(Array(CommandLine.arguments.dropFirst()), environment: environment) {
    case .help:
        say(ServerOptions.usage)
        exit(0)
    case .healthcheck:
        exit(HealthProbe.run(portFile: environment[ServerOptions.portFileVariable]))
    case let .run(parsed):
        options = parsed
    }
} catch {
    fail("\(error)", code: 2)
}

let format = options.logFormat
var accessLog: (@Sendable (HTTPAccessLogEntry) -> Void)?
if options.accessLog {
    accessLog = { @Sendable entry in logWriter.append { format.appendAccessLine(entry, to: &$0) } }
}
let server = GradCheckApplication.makeServer(options, accessLog: accessLog)

let port: Int
do {
    port = try server.start()
} catch {
    fail("cannot listen on \(options.host):\(options.port): \(error)", code: 1)
}
if let portFile = environment[ServerOptions.portFileVariable], !portFile.isEmpty {
    do { try PortFile.write(port, to: portFile) } catch { fail("cannot write the port file \(portFile): \(error)", code: 1) }
}
say(format.eventLine("listening", "listening on http://\(options.host):\(port)", fields: [("port", port)]))
// start() raised the soft descriptor limit to the hard one; connections beyond it would wait
// in the backlog (or be answered 503 through the reserve descriptor), so say so now.
let descriptorHeadroom = 64  // listener, epoll, reserve, logs, files the process opens
if server.descriptorLimit < options.server.maxConnections + descriptorHeadroom {
    say(
        format.eventLine(
            "descriptor_limit",
            "warning: the open-file limit (ulimit -n) is \(server.descriptorLimit), below --max-connections \(options.server.maxConnections) + \(descriptorHeadroom); connections beyond it are answered 503 or evict idle ones (raise it with ulimit -n or the container's nofile limit)",
            fields: [("limit", server.descriptorLimit), ("max_connections", options.server.maxConnections)]))
}
let budget = GradCheckApplication.memoryBudget(options)
say(format.eventLine("memory_budget", "memory budget \(budget.bytes) bytes (\(budget.source))", fields: [("bytes", budget.bytes)]))

let signalSources = drainOnSignals(server) { signalNumber in
    say(format.eventLine("draining", "signal \(signalNumber), draining", fields: [("signal", Int(signalNumber))]))
}
server.waitUntilStopped()
// Every access line of the drain is buffered by now: "stopped" writes them, then itself.
say(format.eventLine("stopped", "stopped"))
withExtendedLifetime(signalSources) {}
exit(0)
