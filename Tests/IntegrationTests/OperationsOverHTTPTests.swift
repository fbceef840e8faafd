import Dispatch
import Foundation
import GradCheckService
import HTTPServer
import Synchronization
import TestSupport
import Testing
import gradcheck_server

/// The operator's endpoints and headers over real sockets: /readyz, /metrics, X-Request-Id, and
/// the JSON access log, on the real service (port 0).
@Suite struct OperationsOverHTTPTests {

    @Test func readyzIsReadyUntilTheDrainBeginsThenAnswers503() throws {
        let live = try LiveService()
        let ready = try CurlClient().get(live.url("/readyz"))
        #expect(ready.status == 200)
        #expect(ready.text == #"{"status":"ready"}"#)
        #expect(try CurlClient().get(live.url("/healthz")).status == 200)

        // A probe already on its way when the drain begins: its head is in and its (1 MiB) body is
        // still coming. The body's reservation shows the server has read the head: an event to
        // wait for, where a half-sent head would race the server's read against stop().
        let probe = try RawClient(port: live.port)
        let bodyBytes = 1 << 20
        try probe.send("GET /readyz HTTP/1.1\r\nHost: t\r\nContent-Length: \(bodyBytes)\r\n\r\n")
        #expect(eventually { live.server.memory.reservedBytes > 0 })
        let stopped = DispatchSemaphore(value: 0)
        let server = live.server
        Thread.detachNewThread {
            server.stop()
            stopped.signal()
        }
        #expect(eventually { server.gauges.isDraining })
        try probe.send([UInt8](repeating: UInt8(ascii: " "), count: bodyBytes))
        let draining = try probe.readResponse()
        #expect(draining.status == 503)
        #expect(draining.text == #"{"status":"unavailable","reason":"draining"}"#)
        #expect(draining.header("Connection") == "close")
        probe.close()
        #expect(stopped.wait(timeout: .now() + 5) == .success)
    }

    @Test func readyzIs503WhileTheMemoryBudgetIsNearlyFull() throws {
        let live = try LiveService { $0.maxMemory = 16 << 20 }
        defer { live.stop() }
        #expect(try CurlClient().get(live.url("/readyz")).status == 200)
        // A body upload announced at 15 MiB is reserved before its first byte arrives.
        let upload = try RawClient(port: live.port)
        try upload.send("POST /forward HTTP/1.1\r\nHost: t\r\nContent-Length: \(15 << 20)\r\n\r\n{")
        #expect(eventually { live.server.memory.reservedBytes > 14 << 20 })
        let full = try CurlClient().get(live.url("/readyz"))
        #expect(full.status == 503)
        #expect(full.text.contains("memory_full"))
        #expect(try CurlClient().get(live.url("/healthz")).status == 200, "liveness does not depend on load")
        upload.close()
        #expect(eventually { live.server.memory.reservedBytes == 0 })
        #expect(try CurlClient().get(live.url("/readyz")).status == 200)
    }

    @Test func everyAnswerCarriesARequestIdAndProblemsRepeatIt() throws {
        let live = try LiveService()
        defer { live.stop() }
        let client = try CurlClient()
        let echoed = try client.get(live.url("/healthz"), headers: ["X-Request-Id: trace-42.a:b_c"])
        #expect(echoed.header("X-Request-Id") == "trace-42.a:b_c")

        let generated = try client.get(live.url("/healthz"))
        let id = try #require(generated.header("X-Request-Id"))
        #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))
        #expect(try client.get(live.url("/healthz")).header("X-Request-Id") != id, "each request gets its own id")

        for insane in ["has space", String(repeating: "a", count: 129), "quote\"d", "semi;colon"] {
            let replaced = try client.get(live.url("/healthz"), headers: ["X-Request-Id: \(insane)"])
            #expect(replaced.header("X-Request-Id") != insane)
            #expect(replaced.header("X-Request-Id")?.count == 32)
        }

        let problem = try client.get(live.url("/nope"), headers: ["X-Request-Id: find-me"])
        #expect(problem.status == 404)
        #expect(Bodies.object(problem)?["request_id"] as? String == "find-me")
        let invalid = try client.post(live.url("/gradcheck"), json: #"{"x": 2, "theta": }"#)
        #expect(invalid.status == 400)
        #expect(Bodies.object(invalid)?["request_id"] as? String == invalid.header("X-Request-Id"))
        #expect(Bodies.object(invalid)?["offset"] as? Int == 18, "the problem's own members are kept")
    }

    @Test func jsonAccessLogLinesCarryTheExchange() throws {
        let lines = Mutex<[String]>([])
        let live = try LiveService(accessLog: { entry in
            let line = LogFormat.json.accessLine(entry)
            lines.withLock { $0.append(line) }
        })
        defer { live.stop() }
        let answer = try CurlClient().post(live.url("/gradcheck"), body: Bodies.notebook, headers: ["X-Request-Id: log-me"])
        #expect(answer.status == 200)
        #expect(eventually { !lines.withLock { $0 }.isEmpty })
        let line = try #require(lines.withLock { $0 }.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["method"] as? String == "POST")
        #expect(object["path"] as? String == "/gradcheck")
        #expect(object["status"] as? Int == 200)
        #expect(object["bytes"] as? Int == answer.body.count)
        #expect(object["request_id"] as? String == "log-me")
        let remote = try #require(object["remote"] as? String)
        #expect(remote.hasPrefix("127.0.0.1:") && Int(remote.dropFirst(10)) != nil && remote != "127.0.0.1:\(live.port)")
        let milliseconds = try #require(object["duration_ms"] as? Double)
        #expect(milliseconds > 0 && milliseconds < 10_000)
        let ts = try #require(object["ts"] as? String)
        #expect(ts.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression) != nil, "\(ts)")
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let when = try #require(formatter.date(from: ts))
        #expect(abs(when.timeIntervalSinceNow) < 60)
    }

    @Test func metricsCountRequestsChecksAndRejections() throws {
        let live = try LiveService()
        defer { live.stop() }
        let client = try CurlClient()
        func scrape() throws -> [String: Double] {
            let answer = try client.get(live.url("/metrics"))
            #expect(answer.status == 200)
            #expect(answer.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
            var samples: [String: Double] = [:]
            for line in answer.text.split(separator: "\n") where !line.hasPrefix("#") {
                guard let space = line.lastIndex(of: " ") else { continue }
                samples[String(line[..<space])] = Double(line[line.index(after: space)...])
            }
            return samples
        }
        let checks = #"gradcheck_checks_total{verdict="passed",method="central",mode="full"}"#
        let gradchecks = #"http_requests_total{route="/gradcheck",method="POST",status="200"}"#
        let other = #"http_requests_total{route="other",method="GET",status="404"}"#
        let before = try scrape()
        #expect(try client.post(live.url("/gradcheck"), body: Bodies.notebook).status == 200)
        #expect(try client.get(live.url("/no/such/path/\(UUID())")).status == 404)
        let after = try scrape()
        #expect((after[gradchecks] ?? 0) - (before[gradchecks] ?? 0) == 1)
        #expect((after[checks] ?? 0) - (before[checks] ?? 0) == 1)
        #expect((after[other] ?? 0) - (before[other] ?? 0) == 1, "unknown paths share one label value")
        #expect((after["gradcheck_cost_evaluations_total"] ?? 0) - (before["gradcheck_cost_evaluations_total"] ?? 0) == 94)
        #expect((after[#"http_request_duration_seconds_count{route="/gradcheck"}"#] ?? 0) >= 1)
        #expect((after[#"http_request_duration_seconds_bucket{route="/gradcheck",le="+Inf"}"#] ?? 0) >= 1)
        #expect(after["http_requests_in_flight"] == 1, "the scrape itself is in flight")
        #expect((after["http_connections_open"] ?? 0) >= 1)
        #expect(after["gradcheck_worker_queue_depth"] == 0)
        #expect((after["gradcheck_memory_budget_bytes"] ?? 0) > 0)
        #expect((after["process_resident_memory_bytes"] ?? 0) > 1_000_000)
        #expect((after["process_open_fds"] ?? 0) > 3)
        let start = try #require(after["process_start_time_seconds"])
        #expect(abs(start - Date().timeIntervalSince1970) < 24 * 3600)
        #expect(after[#"gradcheck_requests_rejected_total{reason="queue_full"}"#] == 0)

        // A body larger than the whole budget is refused, and counted by its reason.
        let small = try LiveService { $0.maxMemory = 16 << 20 }
        defer { small.stop() }
        let refused = try RawClient(port: small.port)
        try refused.send("POST /forward HTTP/1.1\r\nHost: t\r\nContent-Length: \(32 << 20)\r\n\r\n")
        #expect(try refused.readResponse().status == 413)
        let metrics = try client.get(small.url("/metrics")).text
        #expect(metrics.contains(#"gradcheck_requests_rejected_total{reason="body_too_large"} 1"#))
    }
}
