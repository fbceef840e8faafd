import CCurl
import Dispatch
import Foundation
import Synchronization
import Testing

/// How the bytes travel: keep-alive, large bodies through curl's 100-continue, chunked uploads,
/// form content types, concurrent clients, and the GET endpoints.
@Suite struct TransportOverHTTPTests {
    @Test func oneCurlHandleReusesOneConnection() throws {
        let service = try LiveService()
        defer { service.stop() }
        let client = try CurlClient()
        let first = try client.post(service.url("/forward"), body: Bodies.notebook)
        #expect(first.status == 200 && first.newConnections == 1)
        for _ in 0..<5 {
            let again = try client.post(service.url("/gradcheck"), body: Bodies.notebook)
            #expect(again.status == 200)
            #expect(again.newConnections == 0, "a new connection was opened instead of reusing the first")
        }
    }

    @Test func bodyOverOneMebibyteIsComputed() throws {
        let service = try LiveService()
        defer { service.stop() }
        let body = Bodies.randomNetwork([200, 20, 1], examples: 400, seed: 1)
        #expect(body.count > 1 << 20)
        let response = try CurlClient().post(service.url("/forward"), body: body)
        #expect(response.status == 200)
        #expect((Bodies.object(response)?["AL"] as? [[Double]])?.first?.count == 400)
    }

    @Test func bodyOverOneMebibyteArrivesWithoutTheContinueStall() throws {
        let service = try LiveService()
        defer { service.stop() }
        // 1.5 MiB of insignificant whitespace around a tiny document. curl sends
        // `Expect: 100-continue` for a body this large and by default waits 1 s for
        // "100 Continue" before sending it anyway; here it waits 20 s, so a server that does not
        // answer the expectation shows as a 20 s request, far beyond any debug-build slowness.
        let body = Array(#"{"x": 2, "theta": 4}"#.utf8) + [UInt8](repeating: 0x20, count: 3 << 19)
        let client = try CurlClient()
        try client.set(CURLOPT_EXPECT_100_TIMEOUT_MS, 20_000)
        let response = try client.post(service.url("/forward"), body: body)
        #expect(response.status == 200)
        #expect(Bodies.object(response)?["J"] as? Double == 8)
        #expect(response.seconds < 10, "took \(response.seconds) s")
    }

    @Test func chunkedUploadIsReadWhole() throws {
        let service = try LiveService()
        defer { service.stop() }
        let response = try CurlClient().post(service.url("/forward"), body: Bodies.notebook, chunked: true, pieceSize: 97)
        #expect(response.status == 200)
        let cost = try #require(Bodies.object(response)?["cost"] as? Double)
        #expect(abs(cost - 2.407833389834357) < 1e-12)
    }

    @Test func formContentTypeIsReadAsJSON() throws {
        let service = try LiveService()
        defer { service.stop() }
        let client = try CurlClient()
        let form = try client.post(service.url("/forward"), body: Bodies.notebook, contentType: "application/x-www-form-urlencoded")
        #expect(form.status == 200)
        let none = try client.post(service.url("/forward"), body: Bodies.notebook, contentType: nil)
        #expect(none.status == 200)
    }

    @Test func concurrentClientsAllGetTheRightAnswer() throws {
        let service = try LiveService()
        defer { service.stop() }
        let url = service.url("/gradcheck")
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            do {
                let client = try CurlClient()
                for _ in 0..<10 {
                    let response = try client.post(url, body: Bodies.notebook)
                    let difference = Bodies.object(response)?["difference"] as? Double ?? 1
                    if response.status != 200 || difference >= 1e-7 {
                        failures.withLock { $0.append("worker \(worker): \(response.status) \(difference)") }
                    }
                }
            } catch {
                failures.withLock { $0.append("worker \(worker): \(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
    }

    @Test func healthAndOpenAPIAreServed() throws {
        let service = try LiveService()
        defer { service.stop() }
        let client = try CurlClient()
        let health = try client.get(service.url("/healthz"))
        #expect(health.status == 200 && Bodies.object(health)?["status"] as? String == "ok")
        let document = try client.get(service.url("/openapi.json"))
        #expect(document.status == 200)
        let paths = try #require(Bodies.object(document)?["paths"] as? [String: Any])
        #expect(Set(paths.keys).isSuperset(of: ["/forward", "/backward", "/gradcheck", "/healthz"]))
    }
}
