import Foundation
import GradCheck
import Testing

@testable import GradCheckService

/// `only`, `dtype` and the verdict's explanation through the API, and the pre-flight notes.
@Suite struct VerdictOptionsTests {
    typealias Fixture = GradCheckAPITests
    let api = GradCheckAPI()

    private func answer(_ extra: [String: Any], buggy: Bool = false) throws -> [String: Any] {
        var body = try JSONSerialization.jsonObject(with: buggy ? Fixture.buggyFullDict : Fixture.notebook) as! [String: Any]
        for (key, value) in extra { body[key] = value }
        return try Fixture.object(api.gradcheck([UInt8](try JSONSerialization.data(withJSONObject: body))))
    }

    @Test(arguments: [
        #"{}"#, #"{"mode": "sample", "samples": 5, "seed": 2}"#, #"{"mode": "directional", "directions": 4}"#,
    ])
    func onlyChecksTheNamedTensorsInEveryMode(mode: String) throws {
        let members = try #require(JSONSerialization.jsonObject(with: Data(mode.utf8)) as? [String: Any])
        let answer = try answer(members.merging(["only": ["W2", "b*"]]) { $1 }, buggy: true)
        let parameters = try #require(answer["parameters"] as? [String: Any])
        if members["mode"] as? String == "directional" {
            #expect(parameters.isEmpty)
            #expect(answer["passed"] as? Bool == false, "W2 and b1 are wrong, and the directions move only W2, b1, b2, b3")
        } else {
            #expect(Set(parameters.keys) == ["W2", "b1", "b2", "b3"])
            #expect(Set(answer["failed"] as? [String] ?? []) == ["W2", "b1"])
        }
        #expect((answer["notes"] as? [String])?.contains { $0.contains("\"only\"") } == true)
        // Only the right tensors: the check passes.
        let right = try self.answer(members.merging(["only": ["W1", "b2", "W3"]]) { $1 }, buggy: true)
        #expect(right["passed"] as? Bool == true)
    }

    @Test func anOnlyPatternThatMatchesNothingIs422() throws {
        let response = api.gradcheck(try Fixture.notebookBody(adding: ["only": ["W9"]]))
        #expect(response.status == 422)
        let problem = try Fixture.object(response)
        #expect(problem["field"] as? String == "only")
        #expect((problem["detail"] as? String)?.contains("W1, b1, W2, b2, W3, b3") == true)
        #expect(api.gradcheck(try Fixture.notebookBody(adding: ["only": []])).status == 422)
        #expect(api.gradcheck(try Fixture.notebookBody(adding: ["only": [3]])).status == 422)
    }

    @Test func everyAnswerSaysWhichRuleDecidedAndItsFloor() throws {
        let answer = try answer([:])
        #expect(answer["dtype"] as? String == "float64")
        #expect((answer["floor"] as? Double).map { $0 > 0 && $0 < 1e-12 } == true)
        #expect((answer["explanation"] as? String)?.hasPrefix("passed by the notebook's rule") == true)
        let w1 = try #require((answer["parameters"] as? [String: [String: Any]])?["W1"])
        #expect(w1["band"] as? String == "good")
        #expect(w1["max_relative_error"] is Double)
        let float32 = try self.answer(["dtype": "float32"])
        #expect((float32["floor"] as? Double ?? 0) > (answer["floor"] as? Double ?? 1) * 1e8)
        #expect(api.gradcheck(try Fixture.notebookBody(adding: ["dtype": "float8"])).status == 422)
    }

    @Test func symmetricOrZeroWeightsAndSaturationGetAPreflightNote() throws {
        var body = try JSONSerialization.jsonObject(with: Fixture.notebook) as! [String: Any]
        var parameters = body["parameters"] as! [String: Any]
        parameters["W2"] = [[Double]](repeating: [0.1, 0.2, 0.3, 0.4, 0.5], count: 3)
        parameters["W3"] = [[0.0, 0.0, 0.0]]
        body["parameters"] = parameters
        let notes = try #require(
            try Fixture.object(api.gradcheck([UInt8](try JSONSerialization.data(withJSONObject: body))))["notes"] as? [String])
        #expect(notes.contains { $0.contains("every row of W2 is the same") }, "\(notes)")
        #expect(notes.contains { $0.contains("W3 is all zero") })
        var saturated = try JSONSerialization.jsonObject(with: Fixture.notebook) as! [String: Any]
        saturated["activation"] = "tanh"
        var scaled = saturated["parameters"] as! [String: Any]
        scaled["b1"] = [[100.0], [100.0], [100.0], [100.0], [100.0]]
        saturated["parameters"] = scaled
        let saturatedNotes = try #require(
            try Fixture.object(api.gradcheck([UInt8](try JSONSerialization.data(withJSONObject: saturated))))["notes"] as? [String])
        #expect(saturatedNotes.contains { $0.contains("layer 1 is saturated") }, "\(saturatedNotes)")
    }
}
