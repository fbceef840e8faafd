import Foundation
import GradCheck
import TestSupport
import Testing

/// The slips planted by the tests' own numpy backwards (Tests/Fixtures/layer-slips, written by
/// dev/layer-references): sent as the caller's gradients, each fails, and the gradient it spoils
/// is named with the slip's kind; a slip that changes a gradient's shape is refused with a 422
/// that names the gradient and says what gives that shape.
@Suite struct LayerSlipsOverHTTPTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let fixture: String
        let index: Int
        let kind: String
        var testDescription: String { "\(fixture)#\(index) \(kind)" }
    }

    static let cases: [Case] = {
        let folder = Fixtures.url("layer-slips")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        return files.flatMap { file -> [Case] in
            let name = String(file.dropLast(5))
            let data = (try? Data(contentsOf: folder.appendingPathComponent(file))) ?? Data()
            let slips = ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any])?["slips"] as? [[String: Any]] ?? []
            return slips.enumerated().map { Case(fixture: name, index: $0.offset, kind: $0.element["kind"] as? String ?? "") }
        }
    }()

    @Test func everySlipFileIsRead() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.url("layer-slips").path).filter { $0.hasSuffix(".json") }
        #expect(Set(Self.cases.map(\.fixture)).count == files.count)
    }

    @Test(arguments: cases)
    func aPlantedSlipIsNamed(_ testCase: Case) throws {
        let client = try ServiceClient(.inProcess)
        defer { client.close() }
        let data = try Data(contentsOf: Fixtures.url("layer-slips/\(testCase.fixture).json"))
        let slip = ((try JSONSerialization.jsonObject(with: data) as! [String: Any])["slips"] as! [[String: Any]])[testCase.index]
        let slipped = slip["gradients"] as! [String: Any]
        let reference = try LayerReference.load(testCase.fixture)
        var gradients = try Fixtures.json("layers/\(testCase.fixture).json")["gradients"] as! [String: Any]
        var reshaped: [String] = []
        var changed: [String] = []
        for (name, value) in slipped {
            let tensor = LayerReference.tensor(value)
            if tensor.shape != reference.gradients[name]?.shape {
                reshaped.append(name)
            } else if relativeDifference(tensor, reference.gradients[name]!) > 1e-6 {
                changed.append(name)
            }
            gradients[name] = value
        }
        let response = try client.post(
            "/gradcheck", body: Bodies.json(try LayersOverHTTPTests.body(testCase.fixture, gradients: gradients)))
        let answer = try #require(Bodies.object(response))
        if let name = reshaped.first {
            #expect(response.status == 422, "\(testCase)")
            #expect(answer["field"] as? String == "gradients.\(name)", "\(testCase): \(answer)")
            #expect((answer["detail"] as? String)?.contains("That shape is what this slip gives") == true, "\(testCase): \(answer)")
            return
        }
        #expect(response.status == 200, "\(testCase): \(answer)")
        guard !changed.isEmpty else { return }
        let causes = answer["root_causes"] as? [[String: Any]] ?? []
        let notes = answer["notes"] as? [String] ?? []
        let failed = answer["failed"] as? [String] ?? []
        let all = (try JSONSerialization.jsonObject(with: data) as! [String: Any])["slips"] as! [[String: Any]]
        for name in changed {
            // Two slips can give the same numbers for one gradient: either name is right.
            let mine = LayerReference.tensor(slipped[name]!)
            let kinds = Set(
                all.compactMap { other -> String? in
                    guard let value = (other["gradients"] as? [String: Any])?[name] else { return nil }
                    let tensor = LayerReference.tensor(value)
                    return tensor.shape == mine.shape && relativeDifference(tensor, mine) <= 1e-9 ? other["kind"] as? String : nil
                })
            if failed.contains(name) {
                let cause = causes.first { $0["gradient"] as? String == name }
                #expect(
                    kinds.contains(cause?["kind"] as? String ?? ""),
                    "\(testCase): \(name) named \(cause?["kind"] ?? "nothing"): \(cause?["message"] ?? "")")
            } else {
                // Within the notebook's threshold (a slip the size of eps): said in a note.
                let note = notes.first { $0.hasPrefix("\(name) passes the threshold") }
                #expect(kinds.contains { note?.contains("(\($0))") == true }, "\(testCase): \(name) passed without a note: \(notes)")
            }
        }
    }
}

/// A layer check's report formats: HTML with heatmaps per filter, SVG, and Gradescope hints
/// that name the slip's kind without values.
@Suite struct LayerReportsOverHTTPTests {
    func flippedKernelBody() throws -> [UInt8] {
        let data = try Data(contentsOf: Fixtures.url("layer-slips/conv.json"))
        let slips = (try JSONSerialization.jsonObject(with: data) as! [String: Any])["slips"] as! [[String: Any]]
        let flipped = try #require(slips.first { $0["kind"] as? String == "flipped_kernel" })
        var gradients = try Fixtures.json("layers/conv.json")["gradients"] as! [String: Any]
        for (name, value) in flipped["gradients"] as! [String: Any] { gradients[name] = value }
        return Bodies.json(try LayersOverHTTPTests.body("conv", gradients: gradients))
    }

    @Test(arguments: Transport.allCases)
    func htmlSvgAndGradescope(_ transport: Transport) throws {
        let client = try ServiceClient(transport)
        defer { client.close() }
        let body = try flippedKernelBody()
        let html = try client.post("/gradcheck", body: body, headers: [("Accept", "text/html")])
        #expect(html.status == 200)
        #expect(html.header("Content-Type")?.hasPrefix("text/html") == true)
        let page = String(decoding: html.body, as: UTF8.self)
        #expect(page.contains("FAILED"))
        #expect(page.contains("data-tensor=\"dw\" data-passed=\"false\""))
        #expect(page.contains("dw[0] ("), "one heatmap per filter")
        #expect(page.contains("rotated by 180 degrees"))
        let svg = try client.post("/gradcheck", body: body, headers: [("Accept", "image/svg+xml")])
        #expect(svg.status == 200)
        #expect(String(decoding: svg.body, as: UTF8.self).hasPrefix("<?xml"))
        let gradescope = try client.post("/gradcheck", body: body, headers: [("Accept", "application/vnd.gradescope+json")])
        #expect(gradescope.status == 200)
        let results = try #require(Bodies.object(gradescope))
        let tests = try #require(results["tests"] as? [[String: Any]])
        #expect(tests.map { $0["name"] as? String } == ["dx", "dw", "db"])
        let dw = try #require(tests.first { $0["name"] as? String == "dw" })
        #expect(dw["status"] as? String == "failed")
        let hint = dw["output"] as? String ?? ""
        #expect(hint.contains("rotated by 180 degrees"))
        #expect(hint.rangeOfCharacter(from: .decimalDigits.subtracting(CharacterSet(charactersIn: "018"))) == nil, "no values: \(hint)")
    }
}
