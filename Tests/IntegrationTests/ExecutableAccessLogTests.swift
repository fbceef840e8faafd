import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `gradcheck-server` binary as a subprocess (built beside the tests by
/// `swift build --build-tests`): its access log is buffered, and SIGTERM writes every buffered
/// line before the process exits.
@Suite struct ExecutableAccessLogTests {
    /// `gradcheck-server` in the build directory that holds the test bundle.
    private static func serverBinary() throws -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
            Bundle.main.bundleURL,
            Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug"),
        ].map { $0.appendingPathComponent("gradcheck-server") }
        guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw RawClient.Failure(
                description: "no gradcheck-server binary beside the tests (build with swift build --build-tests): \(candidates)")
        }
        return binary
    }

    private static func lines(_ path: String) -> [Substring] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n")
    }

    @Test func sigtermWritesEveryBufferedAccessLineBeforeStopped() throws {
        let logPath = NSTemporaryDirectory() + "gradcheck-server-\(UUID().uuidString).log"
        #expect(FileManager.default.createFile(atPath: logPath, contents: nil))
        defer { unlink(logPath) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? output.close() }
        let process = Process()
        process.executableURL = try Self.serverBinary()
        process.arguments = ["--host", "127.0.0.1", "--port", "0", "--workers", "1"]
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }

        // The listening line is written at once (lifecycle lines are flushed as they are said).
        var port: Int?
        let started = ContinuousClock.now
        while port == nil && ContinuousClock.now - started < .seconds(30) && process.isRunning {
            port =
                Self.lines(logPath).lazy.compactMap { line in
                    line.hasPrefix("gradcheck-server listening on http://127.0.0.1:") ? Int(line.split(separator: ":").last!) : nil
                }.first
            if port == nil { usleep(5000) }
        }
        let boundPort = try #require(port, "the server did not say where it listens: \(Self.lines(logPath))")

        // A burst on one keep-alive connection, then SIGTERM at once: most of its lines are still
        // in the buffer (the flush interval is 100 ms) when the signal arrives.
        let burst = 300
        let client = try RawClient(port: boundPort)
        for index in 0..<burst {
            try client.send("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Request-Id: burst-\(index)\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
        client.close()
        #expect(stop(process, within: 15), "the server did not exit within 15 s of SIGTERM")
        #expect(process.terminationStatus == 0)

        let lines = Self.lines(logPath)
        let access = lines.filter { $0.hasPrefix("GET /healthz 200 15B ") }
        #expect(access.count == burst)
        for (index, line) in access.enumerated() {
            #expect(line.contains(" id=burst-\(index) remote=127.0.0.1:"), "\(line)")
        }
        // Every access line was written before the lifecycle lines that follow them.
        let draining = try #require(lines.firstIndex { $0.hasPrefix("gradcheck-server signal 15, draining") })
        #expect(lines.lastIndex { $0.hasPrefix("GET /healthz") }! < draining)
        #expect(lines.last == "gradcheck-server stopped")
    }
}
