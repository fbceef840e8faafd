import Dispatch
@testable import HTTPServer
import Testing

/// `Execution.inlineUpTo(bodyBytes:)`: small bodies are answered on the I/O queue (so even while
/// every worker is busy), larger ones wait for the pool.
@Suite struct InlineExecutionTests {
    private let host = "Host: test\r\n"

    @Test func decisionFollowsTheBodySize() {
        let execution = HTTPRouter.Execution.inlineUpTo(bodyBytes: 8)
        #expect(execution.runsInline(bodyBytes: 0))
        #expect(execution.runsInline(bodyBytes: 8))
        #expect(!execution.runsInline(bodyBytes: 9))
        #expect(HTTPRouter.Execution.inline.runsInline(bodyBytes: 1 << 30))
        #expect(!HTTPRouter.Execution.pool.runsInline(bodyBytes: 0))
    }

    @Test func smallBodyIsAnsweredWhileTheOnlyWorkerIsBusyAndALargeOneWaits() throws {
        let gate = Gate()
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.workerCount = 1
        var router = HTTPRouter()
        router.add("GET", "/block") { _ in
            gate.entered.signal()
            gate.release.wait()
            return HTTPResponse(status: 200, body: Array("done".utf8))
        }
        router.add("POST", "/echo", execution: .inlineUpTo(bodyBytes: 8)) { request in
            HTTPResponse(status: 200, body: request.body)
        }
        let server = HTTPServer(configuration: configuration, router: router)
        let port = try server.start()
        defer { server.stop() }

        let blocker = try RawClient(port: port)
        try blocker.send("GET /block HTTP/1.1\r\n\(host)\r\n")
        #expect(gate.waitForEntry())

        let small = try RawClient(port: port)
        try small.send("POST /echo HTTP/1.1\r\n\(host)Content-Length: 5\r\n\r\nhello")
        let smallResponse = try small.readResponse()
        #expect(smallResponse.status == 200)
        #expect(smallResponse.text == "hello")

        // Nine bytes go to the pool, whose only worker is still blocked: answered after the gate opens.
        let large = try RawClient(port: port)
        try large.send("POST /echo HTTP/1.1\r\n\(host)Content-Length: 9\r\n\r\nhellohell")
        gate.open()
        #expect(try blocker.readResponse().text == "done")
        let largeResponse = try large.readResponse()
        #expect(largeResponse.status == 200)
        #expect(largeResponse.text == "hellohell")
    }
}
