import ArgumentParser
import Foundation
import GradCheckService
import HTTPServer
import JSON
import Testing

@testable import gradcheck_server

/// The command line as `gradcheck-server` reads it: real argument vectors through ArgumentParser
/// (`parse` runs `validate()` too), then the environment through `serviceConfiguration`.
@Suite struct CommandLineTests {
    private func configuration(_ arguments: [String], environment: [String: String] = [:]) throws -> ServiceConfiguration {
        try GradCheckServer.parse(arguments).serviceConfiguration(environment: environment)
    }

    /// The message the executable prints for `arguments`, or nil when they are accepted.
    private func refusal(_ arguments: [String], environment: [String: String] = [:]) -> String? {
        do {
            _ = try configuration(arguments, environment: environment)
            return nil
        } catch {
            return GradCheckServer.message(for: error)
        }
    }

    /// One line per flag (no wrapping), so a phrase is found whatever the terminal width.
    private var help: String { GradCheckServer.helpMessage(columns: 1000) }

    @Test func defaultsServeEveryInterfaceOn8080() throws {
        #expect(try configuration([]) == ServiceConfiguration())
        let defaults = try configuration([])
        #expect(defaults.host == "0.0.0.0" && defaults.port == 8080)
        let command = try GradCheckServer.parse([])
        #expect(command.accessLog && command.logFormat == .text && !command.healthcheck)
    }

    @Test func portComesFromTheEnvironmentUnlessGivenAsAFlag() throws {
        #expect(try configuration([], environment: ["PORT": "9000"]).port == 9000)
        #expect(try configuration(["--port", "0"], environment: ["PORT": "9000"]).port == 0)
        #expect(try configuration([], environment: ["PORT": ""]).port == 8080)
    }

    @Test func theShardKeyComesFromAFileOrTheEnvironmentAndMustBeLongEnough() throws {
        let key = String(repeating: "ab", count: 32)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("shard-key-\(getpid())")
        try (key + "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try configuration(["--shard-key-file", file.path]).shardKey == Array(key.utf8))
        let variable = GradCheckServer.shardKeyVariable
        #expect(try configuration([], environment: [variable: key]).shardKey == Array(key.utf8))
        #expect(try configuration([]).shardKey == nil)
        #expect(refusal([], environment: [variable: "short"])?.contains("at least 32 bytes") == true)
        #expect(refusal(["--shard-key-file", "/nonexistent/key"])?.contains("--shard-key-file: cannot read") == true)
        #expect(help.contains("--shard-key-file <PATH>"))
    }

    @Test func everyFlagIsRead() throws {
        let arguments = [
            "--host", "127.0.0.1", "--port", "9001", "--max-body-bytes", "1000", "--max-connections", "7", "--workers", "3",
            "--io-threads", "2", "--header-timeout", "1.5", "--body-timeout", "2", "--idle-timeout", "3", "--drain-timeout", "4",
            "--max-work", "1e9", "--max-memory", "268435456", "--no-access-log", "--log-format", "json",
        ]
        let command = try GradCheckServer.parse(arguments)
        let options = try command.serviceConfiguration(environment: [:])
        #expect(options.host == "127.0.0.1" && options.port == 9001 && options.maxBodyBytes == 1000 && options.maxConnections == 7)
        #expect(options.workerCount == 3 && options.ioThreads == 2)
        #expect(options.headerTimeout == .milliseconds(1500) && options.bodyTimeout == .seconds(2))
        #expect(options.keepAliveTimeout == .seconds(3) && options.drainTimeout == .seconds(4) && options.maxOperations == 1e9)
        #expect(options.maxMemory == 268_435_456)
        #expect(!command.accessLog && command.logFormat == .json)
    }

    /// Scripts put their own flags first and the caller's after (`serve.sh` gives `--port`,
    /// `lib-server.sh` gives `--no-access-log`): a flag given again is not an error, the last wins.
    @Test func aFlagGivenAgainTakesItsLastValue() throws {
        #expect(try configuration(["--port", "8080", "--port", "9000"]).port == 9000)
        let command = try GradCheckServer.parse(["--no-access-log", "--no-access-log"])
        #expect(!command.accessLog)
        #expect(try GradCheckServer.parse(["--no-access-log", "--access-log"]).accessLog)
    }

    /// What the scripts, the container image, the Kubernetes manifest and the Python client's
    /// tests pass to the binary.
    @Test func theFlagsTheRepositoryPassesAreAccepted() throws {
        for arguments in [
            ["--host", "0.0.0.0"],
            ["--host", "0.0.0.0", "--port", "8080", "--workers", "2", "--drain-timeout", "8", "--log-format", "json"],
            ["--host", "127.0.0.1", "--port", "0", "--no-access-log", "--drain-timeout", "2"],
            ["--host", "127.0.0.1", "--port", "0", "--no-access-log", "--max-memory", "268435456", "--max-work", "1e10"],
            ["--host", "127.0.0.1", "--port", "0", "--header-timeout", "2", "--idle-timeout", "3", "--body-timeout", "4"],
            ["--port", "8080", "--host", "127.0.0.1"],
        ] {
            #expect(refusal(arguments) == nil, "\(arguments)")
        }
        #expect(try GradCheckServer.parse(["--healthcheck"]).healthcheck)
    }

    @Test func ioThreadsAreOnePerCoreUnlessGiven() throws {
        #expect(try configuration([]).ioThreads == HTTPServerConfiguration.coreCount)
        #expect(try configuration(["--io-threads", "4"]).ioThreads == 4)
        #expect(try configuration(["--io-threads", "0"]).ioThreads == HTTPServerConfiguration.coreCount)
        #expect(refusal(["--io-threads", "-1"])?.contains("--io-threads") == true)
        #expect(help.contains("--io-threads <N>"))
    }

    @Test func helpIsRecognised() {
        for flag in ["--help", "-h"] {
            #expect {
                _ = try GradCheckServer.parse([flag])
            } throws: { error in
                GradCheckServer.exitCode(for: error) == .success && GradCheckServer.fullMessage(for: error).contains("--port <N>")
            }
        }
    }

    @Test func badInputNamesTheFlag() {
        for (arguments, fragment) in [
            (["--port", "70000"], "--port must be an integer in 0...65535, got 70000"),
            (["--port"], "Missing value for '--port <N>'"),
            (["--bogus"], "Unknown option '--bogus'"),
            (["--idle-timeout", "-1"], "--idle-timeout must be a number > 0, got -1"),
            (["--idle-timeout", "inf"], "--idle-timeout must be a number > 0, got inf"),
            (["--drain-timeout", "86401"], "--drain-timeout must be at most 86400 seconds"),
            (["--max-work", "nan"], "--max-work must be a number > 0, got nan"),
            (["--workers", "abc"], "'abc' is invalid for '--workers <N>'"),
            (["--max-body-bytes", "0"], "--max-body-bytes must be an integer in 1..."),
            (["--max-connections", "0"], "--max-connections must be an integer in 1..."),
            (["--max-memory", "5"], "--max-memory must be an integer in 1048576..."),
            (["--host", ""], "--host must not be empty"),
        ] {
            let message = refusal(arguments)
            #expect(message?.contains(fragment) == true, "\(arguments): \(message ?? "accepted")")
        }
        #expect(refusal([], environment: ["PORT": "http"])?.contains("PORT") == true)
        #expect(refusal([], environment: ["PORT": "70000"])?.contains("PORT must be an integer in 0...65535") == true)
    }

    @Test func aBadFlagExitsNonZeroWithTheUsage() {
        do {
            _ = try GradCheckServer.parse(["--bogus"])
            Issue.record("--bogus was accepted")
        } catch {
            #expect(GradCheckServer.exitCode(for: error) != .success)
            #expect(GradCheckServer.fullMessage(for: error).contains("Usage: gradcheck-server [options]"))
        }
    }

    @Test func logFormatIsReadAndItsHelpListsEveryValue() throws {
        #expect(try GradCheckServer.parse(["--log-format", "json"]).logFormat == .json)
        #expect(help.contains("(values: \(LogFormat.allCases.map(\.rawValue).joined(separator: ", ")); default: text)"))
        #expect(refusal(["--log-format", "xml"])?.contains("'xml' is invalid for '--log-format <FORMAT>'") == true)
    }

    @Test func theDefaultDrainFitsInsideTheContainerEnginesStopGrace() throws {
        // docker stop and podman stop send SIGKILL after 10 s.
        #expect(try configuration([]).drainTimeout < .seconds(10))
    }

    @Test func zeroWorkersMeansOnePerCore() throws {
        let options = try configuration(["--workers", "0"])
        #expect(options.workerCount == HTTPServerConfiguration.coreCount && options.workerCount == ServiceConfiguration().workerCount)
    }

    /// Every flag of the hand-written parser this command replaced, with its meaning and default.
    @Test func theHelpShowsEveryFlagAndTheDefaultsInForce() throws {
        let defaults = ServiceConfiguration()
        for line in [
            "--host <HOST>", "address to bind (default: \(defaults.host))",
            "--port <N>", "port to bind, 0 picks a free one (default: $PORT or \(defaults.port))",
            "--max-body-bytes <N>", "largest request body (default: \(defaults.maxBodyBytes) = 64 MiB)",
            "--max-connections <N>", "open connections at once (default: \(defaults.maxConnections))",
            "--workers <N>", "handler threads, 0 = one per core (default: 0)",
            "--io-threads <N>", "event loops doing the socket I/O, 0 = one per core (default: 0)",
            "--header-timeout <S>", "seconds to receive the request headers (default: 10)",
            "--body-timeout <S>", "seconds to receive the request body (default: 30)",
            "--idle-timeout <S>", "seconds a keep-alive connection may idle (default: 30)",
            "--drain-timeout <S>", "inside docker/podman stop's 10 s (default: 8)",
            "--max-work <N>", "largest estimated operations of one request (default: 1e11)",
            "--max-memory <BYTES>", "75% of the container's cgroup limit, else 50% of physical memory, minus 48 MiB",
            "--access-log/--no-access-log", "print one line per request (default: --access-log)",
            "--shard-key-file <PATH>", "$GRADCHECK_SHARD_KEY, else unsigned",
            "--log-format <FORMAT>", "--healthcheck", "(port from $GRADCHECK_PORT_FILE) and exit 0 if healthy, 1 if not",
            "-h, --help", "PORT", "GRADCHECK_PORT_FILE", "GRADCHECK_SHARD_KEY",
        ] {
            #expect(help.contains(line), "\(line)")
        }
        #expect(defaults.headerTimeout == .seconds(10) && defaults.bodyTimeout == .seconds(30) && defaults.keepAliveTimeout == .seconds(30))
        #expect(defaults.drainTimeout == .seconds(8) && defaults.maxOperations == 1e11 && defaults.maxBodyBytes == 64 << 20)
        #expect(Seconds(.milliseconds(1500)).defaultValueDescription == "1.5")
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
