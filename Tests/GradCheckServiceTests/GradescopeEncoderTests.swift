import Foundation
import GradCheck
import JSON
import Testing

@testable import GradCheckReport
@testable import GradCheckService

/// Gradescope's results format (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
/// the members it documents, with their types, and hints that never give the answer away.
@Suite struct GradescopeEncoderTests {
    static func results(_ body: Data) throws -> [String: Any] {
        let request = try RequestReader.read([UInt8](body))
        guard case .network(let network) = request else { throw RequestError.invalidBody("not a network") }
        let built = try NetworkBuilder.network(parameters: network.parameters, inputs: network.x, labels: network.y)
        let gradients = try network.gradients.map { try NetworkBuilder.gradients($0, for: built, examples: network.x.cols) }
        let intermediates = try network.gradients.map { try NetworkBuilder.intermediates($0, for: built, examples: network.x.cols) } ?? [:]
        let report = try GradientChecker().check(
            built, inputs: network.x, labels: network.y, gradients: gradients,
            intermediates: intermediates, stop: .none)
        var writer = JSONWriter()
        try GradescopeEncoder.write(report, to: &writer)
        return try #require(JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any])
    }

    /// Checks the documented members and their types (the schema, written out).
    static func validate(_ results: [String: Any]) throws {
        #expect(results["score"] is Double || results["score"] is Int)
        #expect(results["output"] is String)
        #expect(["visible", "hidden", "after_due_date", "after_published"].contains(results["visibility"] as? String))
        let tests = try #require(results["tests"] as? [[String: Any]])
        for test in tests {
            #expect(test["name"] is String && test["output"] is String)
            #expect((test["score"] as? Double).map { $0 >= 0 } == true && (test["max_score"] as? Double) == 1)
            #expect(["passed", "failed"].contains(test["status"] as? String))
            #expect(["visible", "hidden", "after_due_date", "after_published"].contains(test["visibility"] as? String))
        }
    }

    @Test func theNotebooksBuggyDictGetsPartialCreditAndHintsWithoutAnswers() throws {
        let results = try Self.results(GradCheckAPITests.buggyFullDict)
        try Self.validate(results)
        let tests = try #require(results["tests"] as? [[String: Any]])
        #expect(tests.count == 11)  // dW1 ... db3 and dZ3, dA2, dZ2, dA1, dZ1
        #expect(results["score"] as? Double == 9)
        let failed = tests.filter { $0["status"] as? String == "failed" }.compactMap { $0["name"] as? String }
        #expect(Set(failed) == ["dW2", "db1"])
        let hint = try #require(tests.first { $0["name"] as? String == "dW2" }?["output"] as? String)
        #expect(hint.contains("dW2") && hint.contains("constant factor"))
        // No number from the expected gradient leaks into a hint.
        #expect(!tests.compactMap { $0["output"] as? String }.contains { $0.contains("0.") || $0.contains("2 times") })
        #expect((results["output"] as? String)?.contains("There is a mistake") == true)
    }

    @Test func aRightSubmissionGetsFullMarks() throws {
        let results = try Self.results(GradCheckAPITests.notebook)
        try Self.validate(results)
        #expect(results["score"] as? Double == 6)
    }

    @Test func theAPIAnswersGradescopeResultsForItsMediaType() throws {
        let response = GradCheckAPI().gradcheck([UInt8](GradCheckAPITests.buggyFullDict), accept: "application/vnd.gradescope+json")
        #expect(response.status == 200 && response.contentType == "application/vnd.gradescope+json")
        let results = try #require(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        try Self.validate(results)
        #expect(results["score"] as? Double == 9)
        // The scalar case has no tensors to grade.
        #expect(GradCheckAPI().gradcheck(Array(#"{"x": 2, "theta": 4}"#.utf8), accept: "application/vnd.gradescope+json").status == 422)
    }
}
