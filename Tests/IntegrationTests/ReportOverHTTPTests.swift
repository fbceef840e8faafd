import Foundation
import TestSupport
import Testing

/// Content negotiation, the report's headers and the page, through the router in process and over
/// a real socket alike.
@Suite struct ReportOverHTTPTests {
    static let buggy = [UInt8](try! Data(contentsOf: Fixtures.examples.appendingPathComponent("notebook-buggy.json")))

    @Test(arguments: Transport.allCases)
    func eachAcceptGetsItsRepresentationAndVaryAccept(_ transport: Transport) throws {
        let client = try ServiceClient(transport)
        defer { client.close() }
        let cases: [(accept: String?, status: Int, type: String)] = [
            (nil, 200, "application/json"), ("*/*", 200, "application/json"), ("application/json", 200, "application/json"),
            ("text/html", 200, "text/html; charset=utf-8"), ("image/svg+xml;q=0.9, text/html;q=0.1", 200, "image/svg+xml"),
            ("text/plain", 406, "application/problem+json"),
        ]
        for (accept, status, type) in cases {
            let response = try client.post("/gradcheck", body: Self.buggy, headers: accept.map { [("Accept", $0)] } ?? [])
            #expect(response.status == status, "Accept \(accept ?? "none")")
            #expect(response.header("Content-Type") == type, "Accept \(accept ?? "none")")
            #expect(response.header("Vary") == "Accept")
            #expect(response.header("X-Content-Type-Options") == "nosniff")
        }
        let html = try client.post("/gradcheck", body: Self.buggy, headers: [("Accept", "text/html")])
        #expect(html.header("Content-Security-Policy")?.hasPrefix("default-src 'none'; style-src 'sha256-") == true)
        #expect(html.text.contains("id=\"heatmap-W2\""))
    }

    @Test(arguments: Transport.allCases)
    func pageAndItsFilesComeWithAStrictPolicy(_ transport: Transport) throws {
        let client = try ServiceClient(transport)
        defer { client.close() }
        let page = try client.get("/")
        #expect(page.status == 200)
        #expect(page.header("Content-Type") == "text/html; charset=utf-8")
        let policy = try #require(page.header("Content-Security-Policy"))
        #expect(policy.contains("script-src 'self'") && policy.contains("default-src 'none'") && !policy.contains("unsafe"))
        #expect(page.header("X-Content-Type-Options") == "nosniff")
        // Nothing inline and nothing from elsewhere: every script and stylesheet is one of ours.
        #expect(!page.text.contains("<style") && !page.text.contains("<script>") && !page.text.contains("http"))
        for id in ["body-file", "body-text", "method", "mode", "epsilon"] { #expect(page.text.contains("<label for=\"\(id)\"")) }
        let script = try client.get("/app.js")
        #expect(script.status == 200 && script.header("Content-Type") == "text/javascript; charset=utf-8")
        #expect(script.text.contains("\"Accept\": \"text/html\""))
        let style = try client.get("/app.css")
        #expect(style.status == 200 && style.header("Content-Type") == "text/css; charset=utf-8")
    }
}
