import Testing

@testable import HTTPServer

/// The parser reads the request line and the fields it interprets on bytes. These hold each byte
/// reading to the text reading it replaced: the same path, query, method, framing, persistence
/// and `Expect`, and the same error text.
@Suite struct ParserFastPathTests {
    /// The reading of a target on `Character`s that the byte reading replaced, kept as the
    /// reference: the path and query every target below must get.
    static func referenceSplit(_ target: String) -> (path: String, query: String?)? {
        var pathAndQuery = Substring(target)
        if target == "*" { return ("*", nil) }
        if !target.hasPrefix("/") {
            let lower = target.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return nil }
            let afterScheme = target[target.index(target.firstIndex(of: ":")!, offsetBy: 3)...]
            pathAndQuery = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }).map { afterScheme[$0...] } ?? "/"
            if pathAndQuery.hasPrefix("?") { pathAndQuery = Substring("/" + pathAndQuery) }
        }
        guard let mark = pathAndQuery.firstIndex(of: "?") else { return (String(pathAndQuery), nil) }
        return (String(pathAndQuery[..<mark]), String(pathAndQuery[pathAndQuery.index(after: mark)...]))
    }

    static func parse(_ text: String) throws(HTTPError) -> HTTPRequest? {
        try ParserHarness.parseWhole(Array(text.utf8))?.0
    }

    static func detail(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error.detail
        }
    }

    @Test(arguments: [
        "/", "/healthz", "/healthz?", "/a?b", "/a?b?c", "/?", "/??", "/a/b/c?x=1&y=2", "//x", "/a%20b?c%3Fd",
        "http://h", "http://h/", "http://h?q", "http://h/?q", "http://h:80/p?q=1", "https://h/p", "HTTP://H/P?Q",
        "HtTpS://example.com:443/Forward?A=B", "http://", "https://", "http://?", "http://h/a?b?c", "http://user@h/x",
        "*",
    ])
    func targetsSplitAsTheTextReadingDid(_ target: String) throws {
        let method = target == "*" ? "OPTIONS" : "GET"
        let request = try #require(try Self.parse("\(method) \(target) HTTP/1.1\r\nHost: h\r\n\r\n"))
        let expected = try #require(Self.referenceSplit(target))
        #expect(request.path == expected.path)
        #expect(request.query == expected.query)
        #expect(request.target == target)
    }

    @Test(arguments: ["ftp://h/x", "http:/h/x", "htt://h/", "httpx://h/", "http//h/", "https:/", "Http:", "**", "*/", "h/x", "OPTIONS"])
    func targetsTheTextReadingRefusedAreRefused(_ target: String) {
        #expect(Self.referenceSplit(target) == nil)
        #expect(Self.detail("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n") == "invalid request target")
    }

    @Test func asteriskFormIsOnlyForOptions() throws {
        #expect(Self.detail("GET * HTTP/1.1\r\nHost: h\r\n\r\n") == "asterisk-form is only for OPTIONS")
        #expect(Self.detail("options * HTTP/1.1\r\nHost: h\r\n\r\n") == "asterisk-form is only for OPTIONS")
        let request = try #require(try Self.parse("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(request.path == "*" && request.query == nil)
    }

    @Test func methodsKeepTheirSpelling() throws {
        for method in ["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "get", "Get", "POSTS", "GE", "HEADX", "QUERY", "X-Y"] {
            let request = try #require(try Self.parse("\(method) / HTTP/1.1\r\nHost: h\r\n\r\n"))
            #expect(request.method.rawValue == method)
            #expect(request.method == HTTPMethod(method))
        }
        #expect(try Self.parse("get / HTTP/1.1\r\nHost: h\r\n\r\n")?.method != .get)
        #expect(Self.detail("G\u{e9}T / HTTP/1.1\r\nHost: h\r\n\r\n") == "invalid method")
    }

    @Test func tokenBytesAreTheTcharList() {
        let listed = Set(HTTPBytes.tokenBytes.utf8)
        #expect(listed.count == 77)
        for byte in UInt8.min...UInt8.max {
            #expect(HTTPBytes.isTokenByte(byte) == listed.contains(byte), "byte \(byte)")
        }
    }

    @Test func fieldNamesMatchInAnyCase() throws {
        let request = try #require(try Self.parse("POST / HTTP/1.1\r\nhOsT: h\r\ncONTENT-lENGTH: 3\r\n\r\nabc"))
        #expect(request.body == Array("abc".utf8))
        #expect(Self.detail("GET / HTTP/1.1\r\nHOST: a\r\nhost: b\r\n\r\n") == "HTTP/1.1 requests need exactly one Host header")
        #expect(Self.detail("GET / HTTP/1.1\r\nHOST: a/b\r\n\r\n") == "invalid Host header")
        #expect(Self.detail("GET / HTTP/1.1\r\nHosts: a\r\n\r\n") == "HTTP/1.1 requests need exactly one Host header")
        #expect(
            Self.detail("POST / HTTP/1.1\r\nHost: h\r\ncontent-length: 3\r\nContent-Length: 3\r\n\r\nabc") == "more than one Content-Length"
        )
        #expect(
            Self.detail("POST / HTTP/1.1\r\nHost: h\r\nTRANSFER-ENCODING: chunked\r\ncontent-length: 3\r\n\r\n")
                == "both Content-Length and Transfer-Encoding")
        #expect(
            Self.detail("POST / HTTP/1.1\r\nHost: h\r\ncontent-ENCODING: GZip\r\nContent-Length: 2\r\n\r\n{}")
                == "content coding \"gzip\" is not supported; send the body uncompressed")
        #expect(Self.detail("POST / HTTP/1.1\r\nHost: h\r\ntransfer-encoding: gzip\r\n\r\n") == "transfer coding \"gzip\" is not supported")
    }

    @Test func fieldNamesKeepTheirSpelling() throws {
        let names = [
            "Host", "host", "HOST", "Accept", "accept", "User-Agent", "user-agent", "Connection", "connection", "Content-Type",
            "content-type", "Content-Length", "content-length", "Accept-Encoding", "accept-encoding", "Hostx", "X-Host", "Acceptt",
        ]
        for name in names {
            let value = name.lowercased().hasPrefix("content-length") ? "0" : "v"
            let host = name.lowercased() == "host" ? "" : "Host: h\r\n"
            let request = try #require(try Self.parse("GET / HTTP/1.1\r\n\(host)\(name): \(value)\r\n\r\n"))
            #expect(request.headers.fields.map(\.name).contains(name), "\(name)")
            #expect(request.headers[name] == value)
        }
    }

    @Test func contentLengthErrorsKeepTheirText() {
        let post = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: "
        #expect(Self.detail(post + "1x\r\n\r\n") == "invalid Content-Length \"1x\"")
        #expect(Self.detail(post + "+1\r\n\r\n") == "invalid Content-Length \"+1\"")
        #expect(Self.detail(post + "1, 1\r\n\r\n") == "invalid Content-Length \"1, 1\"")
        #expect(Self.detail(post + "99999999999999999999\r\n\r\n") == "Content-Length overflows")
        // Every byte is checked before any overflow: a long bad value is invalid, not too big.
        #expect(Self.detail(post + "99999999999999999999x\r\n\r\n") == "invalid Content-Length \"99999999999999999999x\"")
    }

    @Test(arguments: [
        ("Connection: close", "1.1", false), ("Connection: Close", "1.1", false), ("Connection: foo ,\tCLOSE\t, bar", "1.1", false),
        ("Connection: ,,close,,", "1.1", false), ("Connection: closed", "1.1", true), ("Connection: clo se", "1.1", true),
        ("Connection: foo\r\nconnection: close", "1.1", false), ("Connection: keep-alive", "1.0", true),
        ("Connection:  Keep-Alive  , x", "1.0", true), ("Connection: keep-alive, close", "1.0", false),
        ("Connection: keep-alive\r\nConnection: close", "1.0", false), ("Connection: keepalive", "1.0", false),
        ("X: 1", "1.0", false), ("X: 1", "1.1", true), ("Connection:", "1.1", true), ("Connection: caf\u{e9}, close", "1.1", false),
    ])
    func connectionTokens(_ field: String, _ version: String, _ keepAlive: Bool) throws {
        let request = try #require(try Self.parse("GET / HTTP/\(version)\r\nHost: h\r\n\(field)\r\n\r\n"))
        #expect(request.keepAlive == keepAlive)
    }

    @Test(arguments: [
        ("Expect: 100-continue", "1.1", true), ("expect: 100-Continue", "1.1", true), ("Expect:\t100-continue \t", "1.1", true),
        ("Expect: foo, 100-continue", "1.1", true), ("Expect: 100-continued", "1.1", false), ("Expect: 100-continue", "1.0", false),
    ])
    func expectTokens(_ field: String, _ version: String, _ expectsContinue: Bool) throws {
        var parser = HTTPRequestParser()
        let result = try parser.parse(Array("POST / HTTP/\(version)\r\nHost: h\r\nContent-Length: 1\r\n\(field)\r\n\r\n".utf8))
        guard case .incomplete(let head?) = result else {
            Issue.record("expected a head, got \(result)")
            return
        }
        #expect(head.expectsContinue == expectsContinue)
    }

    /// The byte reading of a list gives the answer of `tokens(for:)` for every value, non-ASCII
    /// ones included: a Kelvin sign lowercases to "k", a combining mark joins the comma before it.
    @Test(arguments: [
        "close", " Close ", "a,close", "a, b ,close ,", "closed", "", ",", " , ", "CLOSE\t", "clos\u{e9}", "clos\u{e9}, close",
        "close,\u{301}", "a,\u{301}close", "\u{301}close", "keep-alive", "\u{212A}eep-alive", "KEEP-ALIVE, close", "caf\u{e9}",
    ])
    func listMembershipMatchesTheTokenList(_ value: String) {
        let headers: HTTPHeaders = ["Connection": value, "X": "close"]
        for token in ["close", "keep-alive", "a", "b"] {
            #expect(
                headers.contains(token: token, in: "connection") == headers.tokens(for: "Connection").contains(token),
                "\(token) in \(value.unicodeScalars.map { $0.value })")
        }
    }
}
