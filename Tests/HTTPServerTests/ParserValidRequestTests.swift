import Testing

@testable import HTTPServer

/// Valid requests parse the same whole, split at every offset, and one byte at a time.
@Suite struct ParserValidRequestTests {
    @Test func simpleGetWithQuery() throws {
        let request = try ParserHarness.parseEverySplit(
            "GET /healthz?verbose=1&x=2 HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: curl/8\r\n\r\n")
        #expect(request.method == "GET")
        #expect(request.path == "/healthz")
        #expect(request.query == "verbose=1&x=2")
        #expect(request.version == .http1_1)
        #expect(request.headers["host"] == "localhost:8080")
        #expect(request.headers["USER-AGENT"] == "curl/8")
        #expect(request.body.isEmpty)
        #expect(request.keepAlive)
    }

    @Test func contentLengthBody() throws {
        let request = try ParserHarness.parseEverySplit(
            "POST /forward HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 13\r\n\r\n{\"x\":2,\"t\":4}"
        )
        #expect(request.body == Array("{\"x\":2,\"t\":4}".utf8))
        #expect(request.head.framing == .contentLength(13))
    }

    @Test func contentLengthZeroAndLeadingZeros() throws {
        let empty = try ParserHarness.parseEverySplit("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n")
        #expect(empty.body.isEmpty)
        let padded = try ParserHarness.parseEverySplit("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 003\r\n\r\nabc")
        #expect(padded.body == Array("abc".utf8))
    }

    @Test func chunkedBodyWithExtensionsAndTrailers() throws {
        let request = try ParserHarness.parseEverySplit(
            "POST /backward HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n" + "1A ; ext\r\n" + String(repeating: "z", count: 26) + "\r\n"
                + "000\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n")
        #expect(request.body == Array(("hello" + String(repeating: "z", count: 26)).utf8))
        #expect(request.head.framing == .chunked)
    }

    @Test func chunkedCodingListCaseInsensitive() throws {
        let request = try ParserHarness.parseEverySplit(
            "POST / HTTP/1.1\r\nHost: h\r\ntransfer-encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        #expect(request.body == Array("abc".utf8))
    }

    @Test func http10ClosesUnlessAskedToKeepAlive() throws {
        let plain = try ParserHarness.parseEverySplit("GET / HTTP/1.0\r\n\r\n")
        #expect(plain.version == .http1_0)
        #expect(!plain.keepAlive)
        let kept = try ParserHarness.parseEverySplit("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
        #expect(kept.keepAlive)
    }

    @Test func connectionCloseIsHonoured() throws {
        let request = try ParserHarness.parseEverySplit("GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, close\r\n\r\n")
        #expect(!request.keepAlive)
    }

    @Test func leadingEmptyLinesAreIgnored() throws {
        // RFC 9112 §2.2
        let request = try ParserHarness.parseEverySplit("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(request.path == "/")
    }

    @Test func absoluteFormKeepsPathAndQuery() throws {
        let request = try ParserHarness.parseEverySplit("GET http://example.com:80/forward?a=b HTTP/1.1\r\nHost: example.com\r\n\r\n")
        #expect(request.path == "/forward")
        #expect(request.query == "a=b")
        #expect(request.target == "http://example.com:80/forward?a=b")
    }

    @Test func higherMinorVersionIsServedAsHTTP11() throws {
        let request = try ParserHarness.parseEverySplit("GET / HTTP/1.9\r\nHost: h\r\n\r\n")
        #expect(request.version == HTTPVersion(major: 1, minor: 9))
    }

    @Test func valueWhitespaceIsTrimmedAndObsTextKept() throws {
        let request = try ParserHarness.parseEverySplit("GET / HTTP/1.1\r\nHost: h\r\nX-Name: \t caf\u{e9} \t\r\nX-Empty:\r\n\r\n")
        #expect(request.headers["x-name"] == "caf\u{e9}")
        #expect(request.headers["x-empty"] == "")
    }

    @Test func repeatedOrdinaryHeadersAreKeptInOrder() throws {
        let request = try ParserHarness.parseEverySplit("GET / HTTP/1.1\r\nHost: h\r\nAccept: a\r\naccept: b\r\n\r\n")
        #expect(request.headers.values(for: "Accept") == ["a", "b"])
    }

    @Test func expectContinueIsReportedWithTheHeadBeforeTheBody() throws {
        var parser = HTTPRequestParser()
        let head = "POST /gradcheck HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"
        let partial = try parser.parse(Array(head.utf8))
        guard case .incomplete(let parsedHead?) = partial else {
            Issue.record("expected a head, got \(partial)")
            return
        }
        #expect(parsedHead.expectsContinue)
        #expect(parsedHead.framing == .contentLength(4))
        let whole = try parser.parse(Array((head + "body").utf8))
        guard case .request(let request, let consumed) = whole else {
            Issue.record("expected a request, got \(whole)")
            return
        }
        #expect(request.body == Array("body".utf8))
        #expect(consumed == head.utf8.count + 4)
    }

    @Test func pipelinedRequestsAreConsumedOneAtATime() throws {
        let first = "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
        let second = "GET /b HTTP/1.1\r\nHost: h\r\n\r\n"
        var buffer = Array((first + second).utf8)
        var parser = HTTPRequestParser()
        guard case .request(let one, let consumed) = try parser.parse(buffer) else {
            Issue.record("first request missing")
            return
        }
        #expect(one.path == "/a")
        #expect(one.body == Array("abc".utf8))
        #expect(consumed == first.utf8.count)
        buffer.removeFirst(consumed)
        guard case .request(let two, let consumedTwo) = try parser.parse(buffer) else {
            Issue.record("second request missing")
            return
        }
        #expect(two.path == "/b")
        #expect(consumedTwo == second.utf8.count)
    }

    @Test func largeChunkedBodyIsDecodedIncrementally() throws {
        // 2000 chunks fed in 2000 growing steps: linear work thanks to the resumable decoder.
        var text = "PUT /big HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        var expected: [UInt8] = []
        var steps: [Int] = []
        for index in 0..<2000 {
            let data = String(repeating: Character(Unicode.Scalar(UInt8(65 + index % 26))), count: 100)
            text += "64\r\n" + data + "\r\n"
            expected += Array(data.utf8)
            steps.append(text.utf8.count)
        }
        text += "0\r\n\r\n"
        let bytes = Array(text.utf8)
        var parser = HTTPRequestParser()
        for step in steps {
            guard case .incomplete = try parser.parse(Array(bytes[..<step])) else {
                Issue.record("request before the last chunk")
                return
            }
        }
        guard case .request(let request, let consumed) = try parser.parse(bytes) else {
            Issue.record("no request at the end")
            return
        }
        #expect(request.body == expected)
        #expect(consumed == bytes.count)
    }

    @Test func everyTokenByteIsAcceptedInAHeaderName() throws {
        let tchars = Array("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        let name = String(decoding: tchars, as: UTF8.self)
        let request = try ParserHarness.parseEverySplit("GET / HTTP/1.1\r\nHost: h\r\n\(name): v\r\n\r\n")
        #expect(request.headers[name] == "v")
    }
}
