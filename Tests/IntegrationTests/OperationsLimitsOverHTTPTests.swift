import Foundation
import GradCheckService
import HTTPServer
import Synchronization
import TestSupport
import Testing

/// The merge answers JSON only and says so with a 406; a request cut by the drain deadline still
/// leaves its access line; a process whose descriptor limit is below --max-connections warns and
/// answers new clients instead of leaving them waiting.
@Suite struct OperationsLimitsOverHTTPTests {
    @Test func mergeHonoursAccept() throws {
        let service = try LiveService()
        defer { service.stop() }
        let client = try CurlClient()
        let body = Array(#"{"shards": []}"#.utf8)
        for accept in ["text/html", "image/svg+xml", "application/json;q=0"] {
            let response = try client.post(service.url("/gradcheck/merge"), body: body, headers: ["Accept: \(accept)"])
            #expect(response.status == 406, "\(accept)")
            #expect(response.header("Content-Type") == "application/problem+json")
            #expect(response.header("Vary") == "Accept")
            #expect(response.text.contains("application/json only"))
        }
        for accept in ["*/*", "application/json", "text/html, application/json;q=0.1", "application/*"] {
            let response = try client.post(service.url("/gradcheck/merge"), body: body, headers: ["Accept: \(accept)"])
            #expect(response.status == 422, "\(accept): the body is read (no shards), not refused for its Accept")
        }
    }

    @Test func aRequestCutByTheDrainDeadlineIsLogged() throws {
        let lines = Mutex<[HTTPAccessLogEntry]>([])
        let service = try LiveService(
            configure: {
                $0.server.drainTimeout = .milliseconds(50)
                $0.maxOperations = 1e13
            }, accessLog: { entry in lines.withLock { $0.append(entry) } })
        // A full check of a wide network: seconds in a debug build, far past the drain deadline.
        let body = Bodies.randomNetwork([256, 256, 256, 1], examples: 64, seed: 3)
        let client = try RawClient(port: service.port, receiveTimeout: 60)
        defer { client.close() }
        try client.send("POST /gradcheck HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n")
        try client.send(body)
        // Polls the gauge (no sleep as synchronisation): the check is running.
        #expect(eventually(seconds: 100) { service.server.gauges.inFlight == 1 })
        service.stop()
        let logged = lines.withLock { $0 }
        let cut = try #require(logged.first { $0.path == "/gradcheck" }, "the cut request has an access line")
        #expect(cut.status == .serviceUnavailable)
        #expect(cut.rejection == .drain)
        #expect(cut.method == "POST")
    }

    /// The built executable, next to the test bundle.
    static var serverExecutable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gradcheck-server")
    }

    @Test func aDescriptorLimitBelowTheConnectionCapWarnsAndNoClientWaits() throws {
        let executable = Self.serverExecutable
        try #require(FileManager.default.isExecutableFile(atPath: executable.path), "\(executable.path)")
        let portFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gradcheck-port-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: portFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // `ulimit -n` lowers the hard limit too, so the server cannot raise the soft one past it.
        process.arguments = [
            "-c",
            "ulimit -n 48 && exec \"$0\" --host 127.0.0.1 --port 0 --max-connections 1024 --header-timeout 60 --idle-timeout 60 --no-access-log",
            executable.path,
        ]
        process.environment = ["GRADCHECK_PORT_FILE": portFile.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer { _ = stop(process) }
        var port = 0
        for _ in 0..<20_000 where port == 0 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8),
                let value = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                port = value
            } else {
                usleep(1000)
            }
        }
        try #require(port > 0, "the server wrote its port")
        // More idle connections than the process has descriptors.
        var idle: [RawClient] = []
        defer { for client in idle { client.close() } }
        for _ in 0..<64 { idle.append(try RawClient(port: port)) }
        // A new client is answered (an idle connection is evicted for it, or it gets a 503), long
        // before the idle connections would time out (60 s) and free their descriptors.
        for _ in 0..<3 {
            let client = try RawClient(port: port, receiveTimeout: 20)
            defer { client.close() }
            try client.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200 || response.status == 503, "\(response.status)")
        }
        #expect(stop(process), "the server did not exit within 30 s of SIGTERM")
        let log = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("open-file limit (ulimit -n) is 48"), "\(log)")
    }
}

/// A request that cannot fit in the whole memory budget, its body included, is a 422 that names
/// the budget on an idle server, every time; never a 503 "retry later".
@Suite struct MemoryBudgetRefusalOverHTTPTests {
    /// About `megabytes` MB of numbers in X (one row), for /forward; or in a merge's shards.
    static func forwardBody(megabytes: Int) -> [UInt8] {
        let m = megabytes * 1_000_000 / 20
        let row = (0..<m).map { Double($0 % 997) * 0.001234567 + 0.5 }
        return Bodies.json(["X": [row], "Y": [row.map { _ in 1 }], "parameters": ["W1": [[0.5]], "b1": [[0.1]]]])
    }

    static func mergeBody(megabytes: Int) -> [UInt8] {
        let values = (0..<(megabytes * 1_000_000 / 20)).map { Double($0 % 997) * 0.001234567 + 0.5 }
        return Bodies.json(["shards": [["values": values]]])
    }

    @Test(arguments: ["/forward", "/gradcheck/merge"])
    func aRequestLargerThanTheWholeBudgetIsA422NamingIt(path: String) throws {
        let budget = 8 << 20
        let service = try LiveService { $0.maxMemory = budget }
        defer { service.stop() }
        let client = try CurlClient()
        let body = path == "/forward" ? Self.forwardBody(megabytes: 5) : Self.mergeBody(megabytes: 5)
        for _ in 0..<3 {
            let response = try client.post(service.url(path), body: body)
            #expect(response.status == 422 || response.status == 413, "\(path): \(response.status) \(response.text.prefix(300))")
            #expect(response.header("Retry-After") == nil)
            #expect(response.text.contains("\(budget) bytes"), "\(response.text.prefix(300))")
        }
        // A body that fits is still answered.
        let small = try client.post(service.url("/forward"), body: Bodies.notebook)
        #expect(small.status == 200, "\(small.text.prefix(200))")
    }
}

/// `/gradcheck/merge` over a live socket: priced against --max-work per tensor partial, and a
/// tensor given twice is refused wherever it is.
@Suite struct MergePriceOverHTTPTests {
    /// One shard's partial of the notebook check, with its W1 entry copied under `tensors` names.
    static func partial(_ client: CurlClient, _ service: LiveService, tensors: Int, duplicate: Bool = false) throws -> [UInt8] {
        let response = try client.post(
            service.url("/gradcheck"), body: Bodies.notebook(with: ["shard": ["index": 0, "count": 1]]))
        var partial = try #require(Bodies.object(response))
        let w1 = try #require((partial["parameters"] as? [String: Any])?["W1"])
        // A JSON object whose keys are W1, b1, W2, ... (a dictionary cannot repeat a key: the
        // duplicate is spliced into the text).
        partial["parameters"] = [:]
        var text = String(decoding: Bodies.json(["shards": [partial]]), as: UTF8.self)
        let entry = String(decoding: Bodies.json(w1), as: UTF8.self)
        var members = (1...(tensors / 2)).flatMap { ["\"W\($0)\":\(entry)", "\"b\($0)\":\(entry)"] }
        if duplicate { members.append("\"W1\":\(entry)") }
        text = text.replacingOccurrences(of: "\"parameters\":{}", with: "\"parameters\":{\(members.joined(separator: ","))}")
        return Array(text.utf8)
    }

    @Test func aMergeIsPricedAndFindsATensorGivenTwice() throws {
        let service = try LiveService { $0.maxOperations = 1e6 }
        defer { service.stop() }
        let client = try CurlClient()
        let fits = try client.post(service.url("/gradcheck/merge"), body: try Self.partial(client, service, tensors: 2000))
        #expect(fits.status == 200, "\(fits.text.prefix(300))")
        let twice = try client.post(
            service.url("/gradcheck/merge"), body: try Self.partial(client, service, tensors: 2000, duplicate: true))
        // The JSON reader refuses a repeated key before the merge reads the tensors (400).
        #expect(twice.status == 400 || twice.status == 422, "\(twice.text.prefix(300))")
        #expect(twice.text.contains("W1"), "\(twice.text.prefix(300))")
        let over = try client.post(service.url("/gradcheck/merge"), body: try Self.partial(client, service, tensors: 20000))
        #expect(over.status == 422)
        #expect(over.text.contains("over the budget"), "\(over.text.prefix(300))")
    }
}

/// A burst of requests that each fit the memory budget alone but not all at once: those refused
/// memory others hold queue for their turn instead of every one failing part-way.
@Suite struct MemoryBurstOverHTTPTests {
    @Test func aBurstAdmitsWhatFits() throws {
        let service = try LiveService { $0.maxMemory = 24 << 20 }
        defer { service.stop() }
        let setup = try CurlClient()
        let body = try MergePriceOverHTTPTests.partial(setup, service, tensors: 1000)
        let alone = try setup.post(service.url("/gradcheck/merge"), body: body)
        try #require(alone.status == 200, "one merge fits the budget alone: \(alone.text.prefix(200))")
        for round in 0..<3 {
            let statuses = Mutex<[Int]>([])
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                let status = (try? CurlClient().post(service.url("/gradcheck/merge"), body: body).status) ?? -1
                statuses.withLock { $0.append(status) }
            }
            let seen = statuses.withLock { $0 }
            #expect(seen.allSatisfy { $0 == 200 || $0 == 503 }, "round \(round): \(seen)")
            #expect(seen.contains(200), "round \(round): a burst admits at least what fits: \(seen)")
        }
    }
}
