import Dispatch
import Foundation
import HTTPServer
import TestSupport
import Testing

/// Over real sockets: a client that leaves cancels its work (logged 499), bodies are reserved in
/// the memory budget before they are read, unknown methods are 501 without echoing them whole.
@Suite(.serialized) struct LiveRobustnessTests {
    private let host = "Host: 127.0.0.1\r\n"

    @Test func aClientThatLeavesCancelsItsWorkAndIsLogged499() throws {
        let live = try LiveServer()
        defer { live.server.stop() }
        let client = try live.client()
        try client.send("GET /until-cancelled HTTP/1.1\r\n\(host)\r\n")
        #expect(live.gate.waitForEntry())
        client.close()
        // The handler waits for nothing but its cancellation: only the disconnect can end it.
        #expect(live.cancelled.wait(timeout: .now() + 10) == .success, "the handler never saw the cancellation")
        // The access log says 499 for it (written when the disconnect was seen).
        let logged = live.log.all.filter { $0.path == "/until-cancelled" }
        #expect(logged.map(\.status) == [499])
        // The server goes on serving.
        let next = try live.client()
        try next.send("GET /healthz HTTP/1.1\r\n\(host)\r\n")
        #expect(try next.readResponse().status == 200)
    }

    @Test func aQueuedRequestWhoseClientLeftIsNotRun() throws {
        let live = try LiveServer { $0.workerCount = 1 }
        defer { live.server.stop() }
        let holder = try live.client()
        try holder.send("GET /block HTTP/1.1\r\n\(host)\r\n")
        #expect(live.gate.waitForEntry())
        let quitter = try live.client()
        try quitter.send("GET /until-cancelled HTTP/1.1\r\n\(host)\r\n")
        // Queued behind the only worker: the queue gauge says so.
        #expect(eventually { live.server.gauges.queueDepth == 1 })
        quitter.close()
        // The disconnect is seen (and logged 499) while the request still waits in the queue.
        #expect(eventually { live.log.all.contains { $0.path == "/until-cancelled" && $0.status == 499 } })
        live.gate.open()
        #expect(try holder.readResponse().status == 200)
        // The queued handler never entered: no second entry within a second.
        #expect(!live.gate.waitForEntry(seconds: 1))
        #expect(live.log.all.contains { $0.path == "/until-cancelled" && $0.status == 499 })
    }

    @Test func lowerCaseAndUnknownMethodsAre501WithoutEchoingThemWhole() throws {
        let live = try LiveServer()
        defer { live.server.stop() }
        let client = try live.client()
        try client.send("get /healthz HTTP/1.1\r\n\(host)\r\n")
        let lower = try client.readResponse()
        #expect(lower.status == 501)
        let long = String(repeating: "X", count: 8000)
        try client.send("\(long) /healthz HTTP/1.1\r\n\(host)\r\n")
        let unknown = try client.readResponse()
        #expect(unknown.status == 501)
        #expect(unknown.body.count < 400, "the 8,000-byte method was echoed: \(unknown.body.count) bytes")
    }

    @Test func aBodyIsReservedBeforeItIsRead() throws {
        let memory = MemoryBudget(limit: 4 << 20)
        let live = try LiveServer(memory: memory)
        defer { live.server.stop() }
        // Larger than the whole budget: 413 before the body, never retryable.
        let huge = try live.client()
        try huge.send("POST /echo HTTP/1.1\r\n\(host)Content-Length: \(8 << 20)\r\n\r\n")
        let refused = try huge.readResponse()
        #expect(refused.status == 413)
        // Fits the budget, but others hold it: 503 with Retry-After.
        #expect(memory.reserve(3 << 20))
        let busy = try live.client()
        try busy.send("POST /echo HTTP/1.1\r\n\(host)Content-Length: \(2 << 20)\r\n\r\n")
        let answer = try busy.readResponse()
        #expect(answer.status == 503)
        #expect(answer.header("Retry-After") == "1")
        memory.release(3 << 20)
        // With room again, the same body is read and answered, and its bytes are given back.
        let fine = try live.client()
        let body = String(repeating: "a", count: 2 << 20)
        try fine.send("POST /echo HTTP/1.1\r\n\(host)Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        #expect(try fine.readResponse().body.count == body.utf8.count)
        fine.close()
        #expect(eventually { memory.reservedBytes == 0 })
    }
}
