import Testing

@testable import GradCheckService

/// Content negotiation for `/gradcheck`, from literal Accept headers (RFC 9110 §12.5.1).
@Suite struct ReportFormatTests {
    @Test(
        arguments: [
            // JSON exactly as before: no header, an empty one, curl's */*, and JSON asked for.
            (nil, ReportFormat.json), ("", .json), ("*/*", .json), ("application/json", .json),
            ("application/*", .json),
            ("text/html", .html), ("image/svg+xml", .svg), ("IMAGE/SVG+XML", .svg), ("image/*", .svg),
            // A browser's navigation header prefers HTML over its trailing */*.
            ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", .html),
            // q-values decide, whatever the order.
            ("application/json;q=0.5, text/html", .html), ("text/html;q=0.2, image/svg+xml;q=0.9", .svg),
            ("text/html; q=0.9, application/json; q=0.9", .json),
            // The most specific range decides a type's q: text/html is refused even though */* is not.
            ("text/html;q=0, */*", .json), ("*/*;q=0.1, image/svg+xml", .svg),
            ("text/*;level=1, application/json;q=0.5", .html),
            // Invalid elements are ignored, not guessed at.
            ("text/html;q=2, application/json", .json), ("nonsense, image/svg+xml", .svg), ("*/html, text/html", .html),
        ] as [(String?, ReportFormat)])
    func picksTheFormat(accept: String?, expected: ReportFormat) {
        #expect(ReportFormat.negotiate(accept: accept) == expected)
    }

    @Test(arguments: [
        "text/plain", "application/xml", "text/html;q=0", "*/*;q=0", "application/json;q=0, text/csv", "image/png, image/svg+xml;q=0",
        "nonsense",
    ])
    func refusesWhatItCannotAnswer(accept: String) {
        #expect(ReportFormat.negotiate(accept: accept) == nil)
    }

    @Test func refusalIs406ProblemListingTheTypes() throws {
        let response = GradCheckAPI().gradcheck(Array(#"{"x": 2, "theta": 4}"#.utf8), accept: "text/plain")
        #expect(response.status == 406)
        #expect(response.contentType == "application/problem+json")
        let text = String(decoding: response.body, as: UTF8.self)
        for type in ["application/json", "text/html", "image/svg+xml"] { #expect(text.contains(type)) }
    }
}
