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
            let slips = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] ?? []
            return slips.enumerated().map { Case(fixture: name, index: $0.offset, kind: $0.element["kind"] as? String ?? "") }
        }
    }()

    @Test(arguments: cases)
    func aPlantedSlipIsNamed(_ testCase: Case) throws {
        let client = try ServiceClient(.inProcess)
        defer { client.close() }
        let data = try Data(contentsOf: Fixtures.url("layer-slips/\(testCase.fixture).json"))
        let slip = (try JSONSerialization.jsonObject(with: data) as! [[String: Any]])[testCase.index]
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
        #expect(answer["passed"] as? Bool == false, "\(testCase)")
        let causes = answer["root_causes"] as? [[String: Any]] ?? []
        for name in changed {
            let cause = causes.first { $0["gradient"] as? String == name }
            #expect(cause != nil, "\(testCase): \(name) not named; failed \(answer["failed"] ?? "")")
            #expect(
                cause?["kind"] as? String == testCase.kind,
                "\(testCase): \(name) named \(cause?["kind"] ?? "nothing"): \(cause?["message"] ?? "")")
        }
    }
}

/// A layer check's report formats: HTML with heatmaps per filter, SVG, and Gradescope hints
/// that name the slip's kind without values.
@Suite struct LayerReportsOverHTTPTests {
    func flippedKernelBody() throws -> [UInt8] {
        let data = try Data(contentsOf: Fixtures.url("layer-slips/conv.json"))
        let slips = try JSONSerialization.jsonObject(with: data) as! [[String: Any]]
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
