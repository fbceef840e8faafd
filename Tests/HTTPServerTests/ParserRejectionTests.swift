import Testing

@testable import HTTPServer

/// Malformed and hostile requests are refused with the right status, whole and byte by byte.
@Suite struct ParserRejectionTests {
    private let get = "GET / HTTP/1.1\r\nHost: h\r\n"

    @Test func contentLengthWithTransferEncodingIsSmuggling() {
        // RFC 9112 §6.1
        #expect(
            ParserHarness.errorStatus("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                == 400)
        #expect(ParserHarness.errorStatus("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n") == 400)
    }

    @Test(arguments: [
        "Content-Length: 5\r\nContent-Length: 5",
        "Content-Length: 5\r\nContent-Length: 6",
        "Content-Length: 5, 5",
        "Content-Length: 5,6",
        "Content-Length: -1",
        "Content-Length: +5",
        "Content-Length: 5a",
        "Content-Length: 0x10",
        "Content-Length: 1 2",
        "Content-Length:",
        "Content-Length: 99999999999999999999999",
        "Content-Length: 9223372036854775808",
    ])
    func badContentLengthIs400(_ field: String) {
        #expect(ParserHarness.errorStatus("POST / HTTP/1.1\r\nHost: h\r\n\(field)\r\n\r\nhello") == 400)
    }

    @Test func contentLengthOverTheLimitIs413BeforeTheBody() {
        let limits = ParserHarness.config { $0.maxBodyBytes = 10 }
        // Only the head is sent: the refusal must not wait for the body.
        #expect(
            ParserHarness.errorStatus("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n", limits) == 413)
        #expect(ParserHarness.errorStatus("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9223372036854775807\r\n\r\n") == 413)
    }

    @Test func chunkedBodyGrowingPastTheLimitIs413() {
        let limits = ParserHarness.config { $0.maxBodyBytes = 10 }
        #expect(
            ParserHarness.errorStatus("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\n", limits) == 413
        )
    }

    @Test(arguments: [
        "zz\r\nab\r\n0\r\n\r\n",
        "\r\nab\r\n0\r\n\r\n",
        "-2\r\nab\r\n0\r\n\r\n",
        "0x2\r\nab\r\n0\r\n\r\n",
        "2 3\r\nab\r\n0\r\n\r\n",
        "fffffffffffffffffffff\r\n",
        "2\r\nabc\r\n0\r\n\r\n",
        "2\nab\r\n0\r\n\r\n",
        "2;ext\u{01}\r\nab\r\n0\r\n\r\n",
        "2\r\nab\r\n0\r\n folded: trailer\r\n\r\n",
        "2\r\nab\r\n0\r\nBad Trailer: x\r\n\r\n",
    ])
    func badChunkIs400(_ body: String) {
        #expect(ParserHarness.errorStatus("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + body) == 400)
    }

    @Test func aCompressedBodyIs415WithTheCodingsAccepted() throws {
        #expect(ParserHarness.errorStatus("POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\n\r\n{}") == 415)
        #expect(
            ParserHarness.errorStatus("POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: identity, br\r\nTransfer-Encoding: chunked\r\n\r\n")
                == 415)
        var parser = HTTPRequestParser(limits: ParserHarness.config())
        do {
            _ = try parser.parse(Array("POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\n\r\n{}".utf8))
            Issue.record("a gzip body was accepted")
        } catch {
            #expect(error.response.headers["Accept-Encoding"] == "identity")
            #expect(error.detail.contains("\"gzip\" is not supported"))
        }
        // identity is no coding, and a request without a body has nothing to decode.
        #expect(
            try ParserHarness.parseWhole(
                Array("POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: identity\r\nContent-Length: 2\r\n\r\n{}".utf8))?
                .0.body == Array("{}".utf8))
        #expect(try ParserHarness.parseWhole(Array("GET / HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\n\r\n".utf8)) != nil)
    }

    @Test func unknownTransferCodingIs501() throws {
        #expect(ParserHarness.errorStatus("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n") == 501)
        #expect(ParserHarness.errorStatus("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n") == 501)
        // The Kelvin sign lowercases to "k" in Unicode, not in ASCII: no chunked for a proxy to
        // disagree about (a request smuggled past it).
        #expect(ParserHarness.errorStatus("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chun\u{212A}ed\r\n\r\n") == 501)
        #expect(
            try ParserHarness.parseWhole(Array("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: CHUNKED\r\n\r\n0\r\n\r\n".utf8)) != nil)
    }

    @Test func malformedTransferEncodingIs400() {
        #expect(ParserHarness.errorStatus("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n") == 400)
        #expect(
            ParserHarness.errorStatus("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n")
                == 400)
        #expect(ParserHarness.errorStatus("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: ,\r\n\r\n") == 400)
        #expect(ParserHarness.errorStatus("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n") == 400)
    }

    @Test func obsFoldIs400() {
        // RFC 9112 §5.2
        #expect(ParserHarness.errorStatus(get + "X-A: one\r\n two\r\n\r\n") == 400)
        #expect(ParserHarness.errorStatus(get + "X-A: one\r\n\ttwo\r\n\r\n") == 400)
    }

    @Test func whitespaceBeforeColonIs400() {
        // RFC 9112 §5.1
        #expect(ParserHarness.errorStatus(get + "Content-Length : 0\r\n\r\n") == 400)
        #expect(ParserHarness.errorStatus(get + "X-A\t: 1\r\n\r\n") == 400)
    }

    @Test func controlBytesInAValueAre400() {
        for byte: UInt8 in [0x00, 0x01, 0x0B, 0x0D, 0x1F, 0x7F] {
            let bytes = Array((get + "X-A: a").utf8) + [byte] + Array("b\r\n\r\n".utf8)
            #expect(ParserHarness.errorStatus(bytes) == 400, "byte 0x\(String(byte, radix: 16))")
        }
    }

    @Test func everyByteInAHeaderName() throws {
        let tchars = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for value in 0...255 {
            let byte = UInt8(value)
            let bytes = Array((get + "A").utf8) + [byte] + Array("B: v\r\n\r\n".utf8)
            if tchars.contains(byte) {
                let (request, _) = try #require(try ParserHarness.parseWhole(bytes))
                #expect(request.headers.fields.last?.name.utf8.count == 3, "byte \(value)")
            } else if byte == UInt8(ascii: ":") {
                // "A:B: v" is the field "A" with value "B: v".
                let (request, _) = try #require(try ParserHarness.parseWhole(bytes))
                #expect(request.headers["A"] == "B: v")
            } else {
                #expect(ParserHarness.errorStatus(bytes) == 400, "byte \(value)")
            }
        }
    }

    @Test func hostRules() {
        // RFC 9112 §3.2
        #expect(ParserHarness.errorStatus("GET / HTTP/1.1\r\n\r\n") == 400)
        #expect(ParserHarness.errorStatus("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == 400)
        #expect(ParserHarness.errorStatus("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n") == 400)
        #expect(ParserHarness.errorStatus("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n") == 400)
        #expect(ParserHarness.errorStatus("GET / HTTP/1.1\r\nHost: a b\r\n\r\n") == 400)
    }

    @Test func laterVersionsAre505() {
        #expect(ParserHarness.errorStatus("GET / HTTP/2.0\r\nHost: h\r\n\r\n") == 505)
        #expect(ParserHarness.errorStatus("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") == 505)
        #expect(ParserHarness.errorStatus("GET / HTTP/3.0\r\nHost: h\r\n\r\n") == 505)
        #expect(ParserHarness.errorStatus("GET / HTTP/0.9\r\n\r\n") == 505)
    }

    @Test(arguments: [
        "GET / HTTP/1.10\r\nHost: h\r\n\r\n",
        "GET / http/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1\r\nHost: h\r\n\r\n",
        "GET /\r\nHost: h\r\n\r\n",
        "GET  / HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1 \r\nHost: h\r\n\r\n",
        "GET /a b HTTP/1.1\r\nHost: h\r\n\r\n",
        "G(T / HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET noslash HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET * HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1\nHost: h\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\n\n",
        "GET / HTTP/1.1\r\n: empty-name\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1\r\nno-colon\r\nHost: h\r\n\r\n",
        "\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",
    ])
    func malformedHeadIs400(_ text: String) {
        #expect(ParserHarness.errorStatus(text) == 400)
    }

    @Test func rawNonASCIIInTargetIs400() {
        #expect(ParserHarness.errorStatus(Array("GET /caf".utf8) + [0xC3, 0xA9] + Array(" HTTP/1.1\r\nHost: h\r\n\r\n".utf8)) == 400)
    }

    @Test func requestLineLimitIs414() {
        let limits = ParserHarness.config { $0.maxRequestLineBytes = 64 }
        let fits = "GET /" + String(repeating: "a", count: 64 - 14) + " HTTP/1.1"
        #expect(fits.utf8.count == 64)
        #expect(throws: Never.self) { try ParserHarness.parseWhole(Array((fits + "\r\nHost: h\r\n\r\n").utf8), limits) }
        let over = "GET /" + String(repeating: "a", count: 64 - 13) + " HTTP/1.1"
        #expect(ParserHarness.errorStatus(over + "\r\nHost: h\r\n\r\n", limits) == 414)
        // Default: 8 KiB, refused even before the line ends.
        #expect(ParserHarness.errorStatus("GET /" + String(repeating: "a", count: 9000)) == 414)
    }

    @Test func headerSectionLimitIs431() {
        let limits = ParserHarness.config { $0.maxHeaderBytes = 100 }
        // Field lines (with their CRLFs) of exactly 100 bytes fit; one byte more does not.
        let host = "Host: h\r\n"
        let filler = "X: " + String(repeating: "v", count: 100 - host.utf8.count - 5) + "\r\n"
        #expect((host + filler).utf8.count == 100)
        #expect(throws: Never.self) { try ParserHarness.parseWhole(Array(("GET / HTTP/1.1\r\n" + host + filler + "\r\n").utf8), limits) }
        let bigger = "X: " + String(repeating: "v", count: 100 - host.utf8.count - 4) + "\r\n"
        #expect(ParserHarness.errorStatus("GET / HTTP/1.1\r\n" + host + bigger + "\r\n", limits) == 431)
        #expect(ParserHarness.errorStatus("GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "v", count: 40000)) == 431)
    }

    @Test func headerCountLimitIs431() {
        let limits = ParserHarness.config { $0.maxHeaderCount = 3 }
        #expect(throws: Never.self) {
            try ParserHarness.parseWhole(Array("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n".utf8), limits)
        }
        #expect(ParserHarness.errorStatus("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits) == 431)
    }

    @Test func errorsRenderAsProblemJSONThatClosesTheConnection() throws {
        var parser = HTTPRequestParser()
        do {
            _ = try parser.parse(Array("GET / HTTP/2.0\r\nHost: h\r\n\r\n".utf8))
            Issue.record("expected 505")
        } catch {
            let bytes = HTTPResponseEncoder.encode(error.response, keepAlive: false)
            let text = String(decoding: bytes, as: UTF8.self)
            let body = text.components(separatedBy: "\r\n\r\n")[1]
            #expect(text.hasPrefix("HTTP/1.1 505 HTTP Version Not Supported\r\n"))
            #expect(text.contains("\r\nContent-Type: application/problem+json\r\n"))
            #expect(text.contains("\r\nContent-Length: \(body.utf8.count)\r\n"))
            #expect(text.contains("\r\nConnection: close\r\n"))
            #expect(body.contains("\"status\":505"))
            #expect(body.contains("\"title\":\"HTTP Version Not Supported\""))
            #expect(body.contains("\"type\":\"about:blank\""))
            #expect(body.contains("\"detail\":"))
        }
    }
}
