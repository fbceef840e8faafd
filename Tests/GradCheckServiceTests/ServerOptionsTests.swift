import Foundation
import HTTPServer
import JSON
import Testing

@testable import GradCheckService

@Suite struct ServerOptionsTests {
    @Test func defaultsServeEveryInterfaceOn8080() throws {
        #expect(try ServerOptions.parse([]) == .run(ServerOptions()))
        let defaults = ServerOptions()
        #expect(defaults.host == "0.0.0.0" && defaults.port == 8080)
    }

    @Test func portComesFromTheEnvironmentUnlessGivenAsAFlag() throws {
        guard case let .run(fromEnvironment) = try ServerOptions.parse([], environment: ["PORT": "9000"]) else {
            Issue.record("expected options")
            return
        }
        #expect(fromEnvironment.port == 9000)
        guard case let .run(fromFlag) = try ServerOptions.parse(["--port", "0"], environment: ["PORT": "9000"]) else {
            Issue.record("expected options")
            return
        }
        #expect(fromFlag.port == 0)
    }

    @Test func theShardKeyComesFromAFileOrTheEnvironmentAndMustBeLongEnough() throws {
        let key = String(repeating: "ab", count: 32)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("shard-key-\(getpid())")
        try (key + "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        guard case let .run(fromFile) = try ServerOptions.parse(["--shard-key-file", file.path]) else {
            Issue.record("expected options")
            return
        }
        #expect(fromFile.shardKey == Array(key.utf8))
        guard case let .run(fromEnvironment) = try ServerOptions.parse([], environment: [ServerOptions.shardKeyVariable: key]) else {
            Issue.record("expected options")
            return
        }
        #expect(fromEnvironment.shardKey == Array(key.utf8))
        #expect(throws: ServerOptions.Failure.self) { try ServerOptions.parse([], environment: [ServerOptions.shardKeyVariable: "short"]) }
        #expect(throws: ServerOptions.Failure.self) { try ServerOptions.parse(["--shard-key-file", "/nonexistent/key"]) }
        #expect(ServerOptions.usage.contains("--shard-key-file"))
    }

    @Test func everyFlagIsRead() throws {
        let arguments = [
            "--host", "127.0.0.1", "--max-body-bytes", "1000", "--max-connections", "7", "--workers", "3",
            "--header-timeout", "1.5", "--body-timeout", "2", "--idle-timeout", "3", "--drain-timeout", "4",
            "--max-work", "1e9", "--no-access-log",
        ]
        guard case let .run(options) = try ServerOptions.parse(arguments) else {
            Issue.record("expected options")
            return
        }
        #expect(options.host == "127.0.0.1" && options.maxBodyBytes == 1000 && options.maxConnections == 7)
        #expect(options.workerCount == 3 && options.headerTimeout == .milliseconds(1500) && options.bodyTimeout == .seconds(2))
        #expect(options.keepAliveTimeout == .seconds(3) && options.drainTimeout == .seconds(4) && options.maxOperations == 1e9)
        #expect(!options.accessLog)
    }

    @Test func ioThreadsAreOnePerCoreUnlessGiven() throws {
        #expect(ServerOptions().ioThreads == HTTPServerConfiguration.coreCount)
        guard case let .run(four) = try ServerOptions.parse(["--io-threads", "4"]),
            case let .run(zero) = try ServerOptions.parse(["--io-threads", "0"])
        else {
            Issue.record("expected options")
            return
        }
        #expect(four.ioThreads == 4 && zero.ioThreads == HTTPServerConfiguration.coreCount)
        #expect(throws: ServerOptions.Failure.self) { _ = try ServerOptions.parse(["--io-threads", "-1"]) }
        #expect(ServerOptions.usage.contains("--io-threads N"))
    }

    @Test func helpIsRecognised() throws {
        #expect(try ServerOptions.parse(["--help"]) == .help)
        #expect(try ServerOptions.parse(["-h"]) == .help)
        #expect(ServerOptions.usage.contains("--port"))
    }

    @Test func badInputNamesTheFlag() {
        for (arguments, fragment) in [
            (["--port", "70000"], "--port"), (["--port"], "--port needs a value"),
            (["--bogus"], "unknown option --bogus"), (["--idle-timeout", "-1"], "--idle-timeout"),
            (["--max-work", "nan"], "--max-work"),
        ] {
            #expect {
                _ = try ServerOptions.parse(arguments)
            } throws: { error in
                (error as? ServerOptions.Failure)?.message.contains(fragment) == true
            }
        }
        #expect(throws: ServerOptions.Failure.self) { _ = try ServerOptions.parse([], environment: ["PORT": "http"]) }
    }

    @Test func logFormatIsReadAndItsHelpListsEveryValue() throws {
        #expect(ServerOptions().logFormat == .text)
        guard case let .run(options) = try ServerOptions.parse(["--log-format", "json"]) else {
            Issue.record("expected options")
            return
        }
        #expect(options.logFormat == .json)
        #expect(ServerOptions.usage.contains("--log-format FORMAT      text|json"))
        #expect(throws: ServerOptions.Failure.self) { _ = try ServerOptions.parse(["--log-format", "xml"]) }
        #expect(try ServerOptions.parse(["--healthcheck"]) == .healthcheck)
    }

    @Test func theDefaultDrainFitsInsideTheContainerEnginesStopGrace() {
        // docker stop and podman stop send SIGKILL after 10 s.
        #expect(ServerOptions().drainTimeout < .seconds(10))
    }

    @Test func zeroWorkersMeansOnePerCore() throws {
        guard case let .run(options) = try ServerOptions.parse(["--workers", "0"]) else {
            Issue.record("expected options")
            return
        }
        #expect(options.workerCount == HTTPServerConfiguration.coreCount && options.workerCount == ServerOptions().workerCount)
    }

    @Test func theHelpShowsTheDefaultsInForce() {
        let defaults = ServerOptions()
        for line in [
            "--host HOST              address to bind (default \(defaults.host))",
            "(default: $PORT or \(defaults.port))",
            "largest request body (default \(defaults.maxBodyBytes) = 64 MiB)",
            "open connections at once (default \(defaults.maxConnections))",
            "seconds to receive the request headers (default 10)",
            "seconds to receive the request body (default 30)",
            "seconds a keep-alive connection may idle (default 30)",
            "is left (default 8: inside docker/podman stop's 10 s)",
            "largest estimated operations of one request (default 1e11)",
        ] {
            #expect(ServerOptions.usage.contains(line), "\(line)")
        }
        #expect(defaults.headerTimeout == .seconds(10) && defaults.bodyTimeout == .seconds(30) && defaults.keepAliveTimeout == .seconds(30))
        #expect(defaults.drainTimeout == .seconds(8) && defaults.maxOperations == 1e11 && defaults.maxBodyBytes == 64 << 20)
        #expect(ServerOptions.secondsText(.milliseconds(1500)) == "1.5")
    }
}

@Suite struct LogFormatTests {
    @Test func timestampsAreRFC3339InUTCWithMilliseconds() {
        #expect(LogFormat.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(LogFormat.timestamp(Date(timeIntervalSince1970: 951_782_400.5)) == "2000-02-29T00:00:00.500Z")
        #expect(LogFormat.timestamp(Date(timeIntervalSince1970: 1_796_213_532.123)) == "2026-12-02T12:12:12.123Z")
    }

    /// The lines are written digit by digit now; they must read exactly as the `String(format:)`
    /// and `JSONWriter` versions did.
    @Test func accessLinesReadAsTheyDidWithStringFormat() throws {
        var nanoseconds: [Int64] = [0, 1, 499, 501, 999, 1000, 1499, 42_000, 999_499, 999_501, 1_000_000, 2_000_000, 1_234_567]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 { nanoseconds.append(Int64.random(in: 0...100_000_000_000, using: &generator)) }
        for ns in nanoseconds where ns % 1000 != 500 {  // an exact half is printf's binary rounding
            let duration = Duration.nanoseconds(ns)
            let entry = HTTPAccessLogEntry(
                method: "POST", path: "/gradcheck", status: 200, bodyBytes: Int(ns % 100_000), duration: duration,
                requestID: "0123456789abcdef0123456789abcdef", remote: "127.0.0.1:54321")
            let milliseconds = LogFormat.milliseconds(duration)
            #expect(
                LogFormat.text.accessLine(entry)
                    == "POST /gradcheck 200 \(ns % 100_000)B \(String(format: "%.3f", milliseconds))ms id=0123456789abcdef0123456789abcdef remote=127.0.0.1:54321"
            )
            let line = LogFormat.json.accessLine(entry, at: Date(timeIntervalSince1970: 1_796_213_532.123))
            var writer = JSONWriter()
            try writer.number((milliseconds * 1000).rounded() / 1000)
            let expected =
                #"{"ts":"2026-12-02T12:12:12.123Z","method":"POST","path":"/gradcheck","status":200,"bytes":"#
                + "\(ns % 100_000),\"duration_ms\":\(String(decoding: writer.bytes, as: UTF8.self)),"
                + #""request_id":"0123456789abcdef0123456789abcdef","remote":"127.0.0.1:54321"}"#
            #expect(line == expected)
        }
        let rejected = HTTPAccessLogEntry(
            method: "-", path: "-", status: 503, bodyBytes: 7, duration: .zero, remote: "-", rejection: .connections)
        #expect(LogFormat.text.accessLine(rejected) == "- - 503 7B 0.000ms id=- remote=-")
        #expect(
            LogFormat.json.accessLine(rejected, at: Date(timeIntervalSince1970: 0)).hasSuffix(
                #""duration_ms":0,"request_id":"-","remote":"-","rejected":"connections"}"#))
        var bytes: [UInt8] = []
        LogFormat.text.appendAccessLine(rejected, to: &bytes)
        LogFormat.text.appendAccessLine(rejected, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "- - 503 7B 0.000ms id=- remote=-\n- - 503 7B 0.000ms id=- remote=-\n")
    }

    @Test func jsonLinesEscapeWhatTheClientSent() throws {
        let entry = HTTPAccessLogEntry(
            method: "GET", path: "/a\"b\\c\n", status: 404, bodyBytes: 10, duration: .milliseconds(2),
            requestID: "id-1", remote: "127.0.0.1:5000")
        let line = LogFormat.json.accessLine(entry)
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["path"] as? String == "/a\"b\\c\n")
        #expect(object["duration_ms"] as? Double == 2)
        let event = try #require(
            try JSONSerialization.jsonObject(
                with: Data(LogFormat.json.eventLine("listening", "listening on x", fields: [("port", 80)]).utf8)) as? [String: Any])
        #expect(event["event"] as? String == "listening" && event["port"] as? Int == 80)
        #expect(LogFormat.text.eventLine("listening", "listening on http://h:1") == "gradcheck-server listening on http://h:1")
    }
}
