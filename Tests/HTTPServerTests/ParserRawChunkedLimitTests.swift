import Testing

@testable import HTTPServer

/// The body limit counts a chunked body's raw bytes (sizes, extensions, trailers), not only the
/// decoded data: 1-byte chunks with 4 KB extensions must not grow a buffer 4,000 times past it.
@Suite struct ParserRawChunkedLimitTests {
    @Test func chunkExtensionsCountAgainstTheBodyLimit() {
        let limits = ParserHarness.config { $0.maxBodyBytes = 64 * 1024 }
        let extensionText = String(repeating: "a", count: 4000)
        var text = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        // 20 chunks of 1 byte: 20 bytes of body, about 80 KB raw.
        for _ in 0..<20 { text += "1;x=\(extensionText)\r\nz\r\n" }
        text += "0\r\n\r\n"
        var parser = HTTPRequestParser(limits: limits)
        #expect(throws: HTTPError.self) { try parser.parse(Array(text.utf8)) }
        do {
            var fresh = HTTPRequestParser(limits: limits)
            _ = try fresh.parse(Array(text.utf8))
        } catch {
            #expect(error.status == 413)
        }
    }

    @Test func aChunkedBodyUnderTheLimitRawStillParses() throws {
        let limits = ParserHarness.config { $0.maxBodyBytes = 64 * 1024 }
        var text = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        for _ in 0..<10 { text += "3;note=ok\r\nabc\r\n" }
        text += "0\r\n\r\n"
        let request = try ParserHarness.parseEverySplit(text, limits)
        #expect(request.body.count == 30)
    }
}
