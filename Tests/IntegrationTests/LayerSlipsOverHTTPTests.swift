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
