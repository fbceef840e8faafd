import Foundation
import Testing

@testable import HTTPServer

/// Response bytes, Date formatting and routing decisions, in-process.
@Suite struct EncodingAndRoutingTests {
    @Test func generatedRequestIDsAreARandomPrefixAndACounterIn32HexDigits() throws {
        let first = RequestID.generate()
        let second = RequestID.generate()
        for id in [first, second] {
            #expect(id.utf8.count == 32 && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }, "\(id)")
        }
        #expect(first.prefix(16) == second.prefix(16))
        let (a, b) = (try #require(UInt64(first.suffix(16), radix: 16)), try #require(UInt64(second.suffix(16), radix: 16)))
        #expect(b > a, "\(first) then \(second)")
    }

    @Test func headerNamesMatchIgnoringASCIICaseOnly() {
        let matching = [("Content-Length", "content-length"), ("X-REQUEST-ID", "x-request-id"), ("a", "A"), ("", "")]
        for (a, b) in matching { #expect(HTTPHeaders.namesMatch(a, b) && HTTPHeaders.namesMatch(b, a), "\(a) \(b)") }
        // Bytes 0x20 apart that are not letters, other lengths, and non-ASCII case do not match.
        let different = [("[", "{"), ("-", "\r"), ("@", "`"), ("Host", "Hosts"), ("\u{E9}", "\u{C9}"), ("Content-Type", "Content-Typf")]
        for (a, b) in different { #expect(!HTTPHeaders.namesMatch(a, b) && !HTTPHeaders.namesMatch(b, a), "\(a) \(b)") }
        let long = String(repeating: "Abc-", count: 20)
        #expect(HTTPHeaders.namesMatch(long, long.lowercased()) && !HTTPHeaders.namesMatch(long, long.lowercased() + "x"))
    }

    @Test func dateIsIMFFixdate() {
        #expect(HTTPDate.format(epochSeconds: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(epochSeconds: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.format(epochSeconds: 951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        var seconds = 1
        for _ in 0..<200 {  // spread over 1970...2100 to cross leap years and month ends
            seconds = (seconds &* 1_103_515_245 &+ 12345) % 4_102_444_800
            #expect(HTTPDate.format(epochSeconds: seconds) == formatter.string(from: Date(timeIntervalSince1970: Double(seconds))))
        }
    }

    @Test func encoderOwnsFramingHeaders() {
        let response = HTTPResponse(
            status: 200, headers: ["Content-Length": "999", "Connection": "keep-alive", "X-Evil": "a\r\nSet-Cookie: x", "X-Ok": "1"],
            body: Array("hi".utf8))
        let text = String(decoding: HTTPResponseEncoder.encode(response, keepAlive: true, date: "D"), as: UTF8.self)
        #expect(text == "HTTP/1.1 200 OK\r\nDate: D\r\nX-Ok: 1\r\nContent-Length: 2\r\n\r\nhi")
    }

    @Test func encoderForHTTP10KeepAliveAndHead() {
        let response = HTTPResponse(status: 200, json: "{}")
        let kept = String(decoding: HTTPResponseEncoder.encode(response, keepAlive: true, requestVersion: .http1_0), as: UTF8.self)
        #expect(kept == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n{}")
        let head = String(decoding: HTTPResponseEncoder.encode(response, keepAlive: false, headOnly: true), as: UTF8.self)
        #expect(head == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n")
    }

    @Test func problemBodyEscapesItsText() {
        let response = HTTPResponse.problem(status: 400, detail: "bad \"key\"\n\u{01}")
        #expect(response.headers["content-type"] == "application/problem+json")
        #expect(
            String(decoding: response.body, as: UTF8.self)
                == "{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,\"detail\":\"bad \\\"key\\\"\\n\\u0001\"}")
        let decoded = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        #expect(decoded?["detail"] as? String == "bad \"key\"\n\u{01}")
    }

    @Test func routerTellsApartPathsOfOneLengthAndKeepsTheLastHandlerOfARoute() {
        var router = HTTPRouter()
        router.add("GET", "/aa") { _ in HTTPResponse(status: 200, body: [1]) }
        router.add("GET", "/bb") { _ in HTTPResponse(status: 200, body: [2]) }
        router.add("POST", "/bb") { _ in HTTPResponse(status: 200, body: [3]) }
        router.add("GET", "/aa") { _ in HTTPResponse(status: 200, body: [4]) }
        router.add("DELETE", "/aa", listed: false) { _ in HTTPResponse(status: 200, body: [5]) }
        #expect(router.respond(to: HTTPRequest(method: "GET", path: "/aa")).body == [4])
        #expect(router.respond(to: HTTPRequest(method: "GET", path: "/bb")).body == [2])
        #expect(router.respond(to: HTTPRequest(method: "POST", path: "/bb")).body == [3])
        #expect(router.respond(to: HTTPRequest(method: "DELETE", path: "/aa")).body == [5])
        #expect(router.respond(to: HTTPRequest(method: "GET", path: "/cc")).status == 404)
        #expect(router.respond(to: HTTPRequest(method: "GET", path: "/aaa")).status == 404)
        #expect(router.respond(to: HTTPRequest(method: "PUT", path: "/aa")).headers["Allow"] == "DELETE, GET, HEAD")
        #expect(router.respond(to: HTTPRequest(method: "PUT", path: "/bb")).headers["Allow"] == "GET, HEAD, POST")
        #expect(router.routeList == "GET /aa, /bb; POST /bb")
        #expect(router.paths == ["/aa", "/bb"])
        #expect(router.routeTable.count == 4)
    }

    @Test func routerResolvesNotFoundMethodNotAllowedAndHead() {
        var router = HTTPRouter()
        router.add("GET", "/healthz") { _ in HTTPResponse(status: 200, body: Array("ok".utf8)) }
        router.add("POST", "/forward") { request in HTTPResponse(status: 201, body: request.body) }
        #expect(router.respond(to: HTTPRequest(method: "POST", path: "/forward", body: [1, 2])).body == [1, 2])
        #expect(router.respond(to: HTTPRequest(method: "GET", path: "/missing")).status == 404)
        let wrong = router.respond(to: HTTPRequest(method: "GET", path: "/forward"))
        #expect(wrong.status == 405)
        #expect(wrong.headers["Allow"] == "POST")
        #expect(router.respond(to: HTTPRequest(method: "PUT", path: "/healthz")).headers["allow"] == "GET, HEAD")
        guard case .route(_, let headOnly) = router.resolve(method: "HEAD", path: "/healthz") else {
            Issue.record("HEAD should use the GET route")
            return
        }
        #expect(headOnly)
    }

    @Test func notFoundListsTheRoutesThatExist() throws {
        var router = HTTPRouter()
        router.add("POST", "/forward") { _ in HTTPResponse(status: 200) }
        router.add("GET", "/healthz") { _ in HTTPResponse(status: 200) }
        router.add("POST", "/backward") { _ in HTTPResponse(status: 200) }
        router.add("GET", "/app.css", listed: false) { _ in HTTPResponse(status: 200) }
        let missing = router.respond(to: HTTPRequest(method: "GET", path: "/nope"))
        #expect(missing.status == 404)
        let problem = try #require(try JSONSerialization.jsonObject(with: Data(missing.body)) as? [String: Any])
        #expect(problem["detail"] as? String == "no route for /nope; the routes are POST /forward, /backward; GET /healthz")
        #expect(HTTPRouter().respond(to: HTTPRequest(method: "GET", path: "/x")).status == 404)
    }
}

/// Lifecycle edges that need no traffic.
@Suite struct ServerLifecycleTests {
    @Test func bindingABusyPortFailsWithAReadableError() throws {
        let live = try LiveServer()
        defer { live.server.stop() }
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = live.port
        let second = HTTPServer(configuration: configuration, router: HTTPRouter())
        #expect(throws: HTTPServerError.self) { try second.start() }
        #expect(throws: HTTPServerError.self) { try live.server.start() }
        second.stop()  // never started: returns at once
        second.waitUntilStopped()
    }
}
