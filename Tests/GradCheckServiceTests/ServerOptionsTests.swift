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
            Issue.record("expected options"); return
        }
        #expect(fromEnvironment.port == 9000)
        guard case let .run(fromFlag) = try ServerOptions.parse(["--port", "0"], environment: ["PORT": "9000"]) else {
            Issue.record("expected options"); return
        }
        #expect(fromFlag.port == 0)
    }

    @Test func everyFlagIsRead() throws {
        let arguments = ["--host", "127.0.0.1", "--max-body-bytes", "1000", "--max-connections", "7", "--workers", "3",
                         "--header-timeout", "1.5", "--body-timeout", "2", "--idle-timeout", "3", "--drain-timeout", "4",
                         "--max-work", "1e9", "--no-access-log"]
        guard case let .run(options) = try ServerOptions.parse(arguments) else { Issue.record("expected options"); return }
        #expect(options.host == "127.0.0.1" && options.maxBodyBytes == 1000 && options.maxConnections == 7)
        #expect(options.workers == 3 && options.headerTimeout == 1.5 && options.bodyTimeout == 2)
        #expect(options.idleTimeout == 3 && options.drainTimeout == 4 && options.maxOperations == 1e9)
        #expect(!options.accessLog)
    }

    @Test func helpIsRecognised() throws {
        #expect(try ServerOptions.parse(["--help"]) == .help)
        #expect(try ServerOptions.parse(["-h"]) == .help)
        #expect(ServerOptions.usage.contains("--port"))
    }

    @Test func badInputNamesTheFlag() {
        for (arguments, fragment) in [(["--port", "70000"], "--port"), (["--port"], "--port needs a value"),
                                      (["--bogus"], "unknown option --bogus"), (["--idle-timeout", "-1"], "--idle-timeout"),
                                      (["--max-work", "nan"], "--max-work")] {
            #expect {
                _ = try ServerOptions.parse(arguments)
            } throws: { error in
                (error as? ServerOptions.Failure)?.message.contains(fragment) == true
            }
        }
        #expect(throws: ServerOptions.Failure.self) { _ = try ServerOptions.parse([], environment: ["PORT": "http"]) }
    }
}
