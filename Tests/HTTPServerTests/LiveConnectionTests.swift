import Foundation
import HTTPServer
import Testing

/// Real sockets on port 0: keep-alive, pipelining, 100-continue, error responses, large bodies.
// Serialized: these measure latency, so they should not compete with each other for 2 cores.
@Suite(.serialized) struct LiveConnectionTests {
    private let host = "Host: 127.0.0.1\r\n"

    @Test func keepAliveReusesOneConnection() throws {
        let live = try LiveServer()
        defer { live.server.stop() }
        let client = try live.client()
        for index in 0..<3 {
            try client.send("POST /echo?n=\(index) HTTP/1.1\r\n\(host)Content-Length: 5\r\n\r\nhello")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "hello")
            #expect(response.header("X-Query") == "n=\(index)")
            #expect(response.header("Connection") == nil)
        }
        #expect(live.server.connectionCount == 1)
        let entries = live.log.all
        #expect(entries.map(\.status) == [200, 200, 200])
        #expect(entries.first?.method == "POST")
        #expect(entries.first?.path == "/echo")
        #expect(entries.first?.bodyBytes == 5)
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let live = try LiveServer()
        defer { live.server.stop() }
        let client = try live.client()
        var batch = ""
        for word in ["one", "two", "three"] {
            batch += "POST /echo?w=\(word) HTTP/1.1\r\n\(host)Content-Length: \(word.utf8.count)\r\n\r\n\(word)"
        }
        batch += "GET /healthz HTTP/1.1\r\n\(host)\r\n"
        try client.send(batch)  // one write: the server sees them all at once
        for word in ["one", "two", "three"] {
            let response = try client.readResponse()
            #expect(response.text == word)
            #expect(response.header("X-Query") == "w=\(word)")
        }
        #expect(try client.readResponse().text == "{\"status\":\"ok\"}")
    }

    @Test func expect100ContinueIsAnsweredBeforeTheBody() throws {
        let live = try LiveServer()
        defer { live.server.stop() }
        let client = try live.client()
        // The body is sent only once the interim answer has been read: a server that waited for
        // the body first would leave this read to time out, whatever the machine's speed.
        try client.send("POST /echo HTTP/1.1\r\n\(host)Content-Length: 7\r\nExpect: 100-continue\r\n\r\n")
        let interim = try client.readResponse()
        #expect(interim.status == 100)
        try client.send("payload")
        let final = try client.readResponse()
        #expect(final.status == 200)
        #expect(final.text == "payload")
    }

    @Test func expect100ContinueOverTheLimitGets413AndNoContinue() throws {
        let live = try LiveServer { $0.maxBodyBytes = 10 }
        defer { live.server.stop() }
        let client = try live.client()
        try client.send("POST /echo HTTP/1.1\r\n\(host)Content-Length: 11\r\nExpect: 100-continue\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 413)
        #expect(response.header("Connection") == "close")
        #expect(response.header("Content-Type") == "application/problem+json")
        #expect(try client.serverClosed())
    }

    @Test func contentLengthOverTheLimitIs413WhileTheClientIsStillSending() throws {
        let live = try LiveServer { $0.maxBodyBytes = 1024 }
        defer { live.server.stop() }
        let client = try live.client()
        // The client sends head and a body; the server refuses after the head and drains the rest
        // so the client reads the 413 rather than a reset.
        try client.send("POST /echo HTTP/1.1\r\n\(host)Content-Length: 200000\r\n\r\n" + String(repeating: "a", count: 200_000))
        let response = try client.readResponse()
        #expect(response.status == 413)
        #expect(response.text.contains("\"status\":413"))
        client.close()
    }

    @Test func errorResponsesAreProblemJSON() throws {
        let live = try LiveServer()
        defer { live.server.stop() }
        let client = try live.client()
        try client.send("GET /nowhere HTTP/1.1\r\n\(host)\r\n")
        let notFound = try client.readResponse()
        #expect(notFound.status == 404)
        #expect(notFound.header("Content-Type") == "application/problem+json")
        #expect(notFound.text.contains("\"status\":404"))
        #expect(notFound.header("Content-Length") == "\(notFound.body.count)")

        try client.send("DELETE /healthz HTTP/1.1\r\n\(host)\r\n")
        let notAllowed = try client.readResponse()
        #expect(notAllowed.status == 405)
        #expect(notAllowed.header("Allow") == "GET, HEAD")

        // HEAD: same Content-Length as GET, no body: the GET answer must follow right after the head.
        try client.send("HEAD /healthz HTTP/1.1\r\n\(host)\r\nGET /healthz HTTP/1.1\r\n\(host)\r\n")
        let head = try client.readResponse(bodyExpected: false)
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == "15")
        let get = try client.readResponse()
        #expect(get.status == 200)
        #expect(get.text == "{\"status\":\"ok\"}")

        try client.send("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
        let bad = try client.readResponse()
        #expect(bad.status == 400)
        #expect(bad.header("Connection") == "close")
        #expect(try client.serverClosed())
    }

    @Test func http10ConnectionClosesAfterTheResponse() throws {
        let live = try LiveServer()
        defer { live.server.stop() }
        let client = try live.client()
        try client.send("GET /healthz HTTP/1.0\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.header("Connection") == "close")
        #expect(try client.serverClosed())
    }

    @Test func largeBodiesArriveWholeWithContentLengthAndChunked() throws {
        let live = try LiveServer()
        defer { live.server.stop() }
        let client = try live.client()
        let body = (0..<(1024 * 1024 + 17)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try client.send(Array("POST /echo HTTP/1.1\r\n\(host)Content-Length: \(body.count)\r\n\r\n".utf8) + body)
        let plain = try client.readResponse()
        #expect(plain.body == body)

        var chunked = Array("POST /echo HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n".utf8)
        var start = 0
        while start < body.count {
            let end = min(body.count, start + 100_000)
            chunked += Array("\(String(end - start, radix: 16))\r\n".utf8) + body[start..<end] + Array("\r\n".utf8)
            start = end
        }
        chunked += Array("0\r\n\r\n".utf8)
        try client.send(chunked)
        let decoded = try client.readResponse()
        #expect(decoded.body == body)
    }
}
