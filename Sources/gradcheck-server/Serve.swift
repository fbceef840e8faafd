import ArgumentParser
import Dispatch
import Foundation
import GradCheckService
import HTTPServer

// Starts the service and drains it on SIGTERM / SIGINT (exit 0).

extension GradCheckServer {
    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let portFile = environment[Self.portFileVariable].flatMap { $0.isEmpty ? nil : $0 }
        if healthcheck { throw ExitCode(HealthProbe.run(portFile: portFile)) }
        // A bad environment value is a usage error like a bad flag: said with the usage line.
        let configuration = try serviceConfiguration(environment: environment)
        serve(configuration, accessLog: accessLog, format: logFormat, portFile: portFile)
    }
}

private func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("gradcheck-server: \(message)\n".utf8))
    exit(1)
}

/// Serves `configuration` until a signal has drained it, then exits 0.
private func serve(_ configuration: ServiceConfiguration, accessLog: Bool, format: LogFormat, portFile: String?) -> Never {
    // Before any thread starts, so that every thread inherits the block (see `blockStopSignals`).
    blockStopSignals()
    // Every line on stdout goes through one buffer: access lines in batches (at least every
    // 100 ms, see `BufferedLogWriter`), lifecycle lines at once with whatever access lines precede
    // them, so lines keep their order and never interleave.
    let logWriter = BufferedLogWriter(fileDescriptor: STDOUT_FILENO)
    let say: @Sendable (String) -> Void = { line in logWriter.write(line: line, flush: true) }

    var accessLine: (@Sendable (HTTPAccessLogEntry) -> Void)?
    if accessLog {
        accessLine = { entry in logWriter.append { format.appendAccessLine(entry, to: &$0) } }
    }
    let server = GradCheckApplication.makeServer(configuration, accessLog: accessLine)
    let port: Int
    do {
        port = try server.start()
    } catch {
        fail("cannot listen on \(configuration.host):\(configuration.port): \(error)")
    }
    if let portFile {
        do { try PortFile.write(port, to: portFile) } catch { fail("cannot write the port file \(portFile): \(error)") }
    }
    say(format.eventLine("listening", "listening on http://\(configuration.host):\(port)", fields: [("port", port)]))
    // start() raised the soft descriptor limit to the hard one; connections beyond it would wait
    // in the backlog (or be answered 503 through the reserve descriptor), so say so now.
    let descriptorHeadroom = 64  // listener, epoll, reserve, logs, files the process opens
    let maxConnections = configuration.maxConnections
    if server.descriptorLimit < maxConnections + descriptorHeadroom {
        say(
            format.eventLine(
                "descriptor_limit",
                "warning: the open-file limit (ulimit -n) is \(server.descriptorLimit), below --max-connections \(maxConnections) + \(descriptorHeadroom); connections beyond it are answered 503 or evict idle ones (raise it with ulimit -n or the container's nofile limit)",
                fields: [("limit", server.descriptorLimit), ("max_connections", maxConnections)]))
    }
    let budget = GradCheckApplication.memoryBudget(configuration)
    say(format.eventLine("memory_budget", "memory budget \(budget.bytes) bytes (\(budget.source))", fields: [("bytes", budget.bytes)]))

    drainOnSignals(server) { signalNumber in
        say(format.eventLine("draining", "signal \(signalNumber), draining", fields: [("signal", Int(signalNumber))]))
    }
    server.waitUntilStopped()
    // Every access line of the drain is buffered by now: "stopped" writes them, then itself.
    say(format.eventLine("stopped", "stopped"))
    exit(0)
}
