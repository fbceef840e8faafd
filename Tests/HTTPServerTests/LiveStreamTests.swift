import Foundation
import HTTPServer
import Testing

/// Streamed response bodies (`HTTPBodyStream`) on real sockets: chunked framing, keep-alive
/// after the last chunk, HTTP/1.0 bodies delimited by the close, and a client that leaves.
@Suite(.serialized) struct LiveStreamTests {
    private let host = "Host: 127.0.0.1\r\n"

    @Test func chunksAreFramedAndTheConnectionIsKept() throws {
        let live = try LiveServer()
        defer { live.server.stop() }
        let client = try live.client()
        for _ in 0..<2 {
            try client.send("GET /stream HTTP/1.1\r\n\(host)\r\n")
            let head = try client.readResponse(bodyExpected: false)
            #expect(head.status == 200)
            #expect(head.header("Transfer-Encoding") == "chunked")
            #expect(head.header("Content-Length") == nil)
            #expect(head.header("Content-Type") == "text/plain")
            let expected = "1\r\na\r\n2\r\nbb\r\n3\r\nccc\r\n0\r\n\r\n"
            let body = try client.read(atLeast: expected.utf8.count)
            #expect(String(decoding: body, as: UTF8.self) == expected)
        }
        // Still the same connection, and a plain request after the streams works.
        try client.send("GET /healthz HTTP/1.1\r\n\(host)\r\n")
        #expect(try client.readResponse().text == "{\"status\":\"ok\"}")
        #expect(live.server.connectionCount == 1)
        // Each stream is logged once it ends, with the bytes its producer wrote (no framing).
        #expect(live.log.all.map { "\($0.path) \($0.status) \($0.bodyBytes)" } == ["/stream 200 6", "/stream 200 6", "/healthz 200 15"])
    }

    @Test func anHTTP10ClientReadsTheBodyToTheClose() throws {
        let live = try LiveServer()
        defer { live.server.stop() }
        let client = try live.client()
        try client.send("GET /stream HTTP/1.0\r\n\(host)\r\n")
        let head = try client.readResponse(bodyExpected: false)
        #expect(head.header("Transfer-Encoding") == nil && head.header("Content-Length") == nil)
        #expect(head.header("Connection") == "close")
        #expect(String(decoding: try client.readToEnd(), as: UTF8.self) == "abbccc")
    }

    @Test func aClientThatLeavesStopsTheProducer() throws {
        let live = try LiveServer()
        defer { live.server.stop() }
        let client = try live.client()
        try client.send("GET /stream-forever HTTP/1.1\r\n\(host)\r\n")
        _ = try client.readResponse(bodyExpected: false)
        _ = try client.read(atLeast: 4096)
        client.close()
        #expect(live.cancelled.wait(timeout: .now() + 5) == .success, "the producer saw the writer refuse and the cancellation")
        // Logged when its connection closed, with what was written until then.
        let clock = Stopwatch()
        while live.log.all.isEmpty && clock.seconds < 5 { usleep(1000) }
        let entry = try #require(live.log.all.first)
        #expect(entry.path == "/stream-forever" && entry.status == 200 && entry.bodyBytes >= 4096 && entry.bodyBytes % 1024 == 0)
    }
}
