import Foundation
import GradCheck
import TestSupport
import Testing

@testable import GradCheckReport
@testable import GradCheckService

#if canImport(FoundationXML)
import FoundationXML
#endif

/// The HTML and SVG answers of `/gradcheck`, rendered in-process from real request bodies.
@Suite struct ReportPictureTests {
    static let examples = Fixtures.examples
    static func example(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: examples.appendingPathComponent(name)))
    }

    let api = GradCheckAPI()

    /// Counts elements by name and records the first parse error: XMLParser is a real XML 1.0
    /// parser, so a stray `<` or `&` in a tooltip fails it.
    final class ElementCounter: NSObject, XMLParserDelegate {
        var counts: [String: Int] = [:]
        var rectsByHeatmap: [String: Int] = [:]
        private var heatmap: String?
        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            counts[name, default: 0] += 1
            if name == "svg", let id = attributes["id"], id.hasPrefix("heatmap-") { heatmap = String(id.dropFirst(8)) }
            if name == "rect", let heatmap { rectsByHeatmap[heatmap, default: 0] += 1 }
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "svg" { heatmap = nil }
        }
    }

    static func parse(_ bytes: [UInt8]) -> (ok: Bool, counter: ElementCounter, error: String) {
        let parser = XMLParser(data: Data(bytes))
        let counter = ElementCounter()
        parser.delegate = counter
        let ok = parser.parse()
        return (ok, counter, parser.parserError.map { "\($0)" } ?? "")
    }

    @Test func svgOfTheBuggyNotebookIsWellFormedWithACellPerEntry() throws {
        let response = api.gradcheck(try Self.example("notebook-buggy.json"), accept: "image/svg+xml")
        #expect(response.status == 200)
        #expect(response.contentType == "image/svg+xml")
        let (ok, counter, error) = Self.parse(response.body)
        #expect(ok, "not well-formed XML: \(error)")
        // The notebook's 3-layer network: W1 5x4, b1 5x1, W2 3x5, b2 3x1, W3 1x3, b3 1x1.
        #expect(counter.rectsByHeatmap == ["W1": 20, "b1": 5, "W2": 15, "b2": 3, "W3": 3, "b3": 1])
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(text.contains("<title>W2[2][0] WRONG analytic 1.8316 numeric 0.915802"))
    }

    @Test func svgWithIntermediatesIsWellFormedAndDrawsThem() throws {
        let response = api.gradcheck(try Self.example("notebook-buggy-full.json"), accept: "image/svg+xml")
        let (ok, counter, error) = Self.parse(response.body)
        #expect(ok, "not well-formed XML: \(error)")
        #expect(counter.rectsByHeatmap["dZ3"] == 3 && counter.rectsByHeatmap["dA1"] == 15)
    }

    @Test func htmlReportSaysWhatIsWrongAndWhy() throws {
        let response = api.gradcheck(try Self.example("notebook-buggy-full.json"), accept: "text/html")
        #expect(response.status == 200)
        #expect(response.contentType == "text/html; charset=utf-8")
        #expect(response.contentSecurityPolicy?.contains("style-src 'sha256-") == true)
        let html = String(decoding: response.body, as: UTF8.self)
        #expect(html.contains("<strong>FAILED</strong>: There is a mistake in the backward propagation!"))
        #expect(html.contains("data-tensor=\"W2\" data-passed=\"false\""))
        #expect(html.contains("data-tensor=\"W1\" data-passed=\"true\""))
        #expect(html.contains("<h2>Root causes</h2>"))
        #expect(html.contains("id=\"heatmap-dZ2\""))
        #expect(!html.contains("<script"))
    }

    @Test func reportWordsKinksAndCountsAsTheyAre() throws {
        let html = String(decoding: api.gradcheck(try Self.example("notebook-buggy.json"), accept: "text/html").body, as: UTF8.self)
        // The notebook's network has no kinks: none "left out", and b3's one entry is "1 entry".
        #expect(html.contains("full, 47 checked, no ReLU kinks"))
        #expect(!html.contains("left out") && !html.contains("1 entries"))
        #expect(html.contains("<dd>1 entry</dd>") && html.contains("<dd>20 entries</dd>"), "the checked counts")
        #expect(html.contains("kink (subgradient)"))
        // A unit sitting at 0 for one example: its kinks are checked as subgradients.
        let kinked =
            #"{"X": [[1, -1, 2]], "Y": [1, 0, 1], "parameters": {"W1": [[1], [0.5]], "b1": [-1, 0.25], "W2": [[1.5, -0.7]], "b2": [0.2]}}"#
        let report = String(decoding: api.gradcheck(Array(kinked.utf8), accept: "text/html").body, as: UTF8.self)
        #expect(report.contains("2 at a ReLU kink, checked as subgradients"))
        #expect(report.contains("at a kink, checked as a subgradient"))
        #expect(ReportHTML.kinkSummary(1, subgradients: 1) == "1 at a ReLU kink, checked as a subgradient")
        #expect(ReportHTML.kinkSummary(3, subgradients: 1) == "3 at a ReLU kink (1 checked as a subgradient, 2 left out)")
    }

    @Test func bandsSayAcceptableWithKinksOnlyWhereThereAreKinks() throws {
        let answer = try #require(
            JSONSerialization.jsonObject(with: Data(api.gradcheck(try Self.example("notebook.json")).body)) as? [String: Any])
        let parameters = try #require(answer["parameters"] as? [String: [String: Any]])
        for (name, entry) in parameters {
            let kinks = (entry["kinks"] as? [String: Any])?["count"] as? Int
            #expect(kinks == 0 && entry["band"] as? String != "acceptable with kinks", "\(name): \(entry)")
        }
    }

    @Test func jsonIsUnchangedByNegotiation() throws {
        let body = try Self.example("notebook-buggy.json")
        func withoutSeconds(_ response: APIResponse) -> String {
            String(decoding: response.body, as: UTF8.self).replacing(/"seconds":[^,]+,/, with: "")
        }
        let plain = api.gradcheck(body)
        let star = api.gradcheck(body, accept: "*/*")
        let json = api.gradcheck(body, accept: "application/json")
        #expect(plain.contentType == "application/json" && plain.contentSecurityPolicy == nil)
        #expect(withoutSeconds(plain) == withoutSeconds(star))
        #expect(withoutSeconds(plain) == withoutSeconds(json))
        #expect(!withoutSeconds(plain).contains("entries"))
    }

    @Test func errorsStayProblemJSONWhateverWasAsked() {
        let response = api.gradcheck(Array(#"{"x": 2}"#.utf8), accept: "text/html")
        #expect(response.status == 422)
        #expect(response.contentType == "application/problem+json")
    }
}
