import Dispatch
import TestSupport
import Testing

@testable import HTTPServer

/// A pool route with an inline attempt (`HTTPRouter.InlineAttempt`): small requests are answered
/// on their event loop, the rest go to the pool, and a large one on the pool never holds up a
/// small one on the same loop.
@Suite(.serialized) struct LiveInlineAttemptTests {
    private let host = "Host: 127.0.0.1\r\n"

    private func post(_ body: String) -> String {
        "POST /small-inline HTTP/1.1\r\n\(host)Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test func aLargeRequestOnThePoolDoesNotBlockASmallOneOnTheSameLoop() throws {
        let live = try LiveServer {
            $0.ioThreads = 1  // both connections on the one loop
            $0.workerCount = 1
            $0.workerQueueDepth = 0
        }
        defer { live.server.stop() }
        let large = try live.client()
        try large.send(post("block!"))
        #expect(live.gate.waitForEntry())
        // The only worker is held and nothing may queue: a second large request is refused...
        let refused = try live.client()
        try refused.send(post("large"))
        let busy = try refused.readResponse()
        #expect(busy.status == 503)
        // ... while small ones are answered on the loop, one after another on one connection.
        let small = try live.client()
        for text in ["a", "bb", "ccc"] {
            try small.send(post(text))
            let response = try small.readResponse()
            #expect(response.status == 200 && response.text == text && response.header("X-Ran") == "loop")
            #expect(response.header("X-Request-Id") != nil)
        }
        #expect(live.server.gauges.inFlight == 1)
        live.gate.open()
        let answer = try large.readResponse()
        #expect(answer.status == 200 && answer.text == "block!" && answer.header("X-Ran") == "pool")
        let statuses = live.log.all.map(\.status.code)
        #expect(statuses.sorted() == [200, 200, 200, 200, 503], "\(statuses)")
        #expect(live.server.gauges.inFlight == 0)
    }

    @Test func theRouterRespondsInProcessThroughTheAttemptFirst() {
        var router = HTTPRouter()
        router.add(
            "POST", "/r", inline: { request in request.body.isEmpty ? HTTPResponse(status: 204) : nil },
            handler: { _ in HTTPResponse(status: 200, json: "{}") })
        #expect(router.respond(to: HTTPRequest(method: "POST", path: "/r")).status == 204)
        #expect(router.respond(to: HTTPRequest(method: "POST", path: "/r", body: [1])).status == 200)
    }
}
