import JSON
import Testing

@testable import GradCheckService

@Suite struct ProblemDetailsTests {
    @Test func bodyHasTheRFC9457MembersInOrder() throws {
        let problem = ProblemDetails(status: 422, detail: "epsilon: must be > 0", extensions: [("field", .string("epsilon"))])
        #expect(
            String(decoding: problem.body, as: UTF8.self)
                == #"{"type":"about:blank","title":"Unprocessable Content","status":422,"detail":"epsilon: must be > 0","field":"epsilon"}"#
        )
        #expect(ProblemDetails.contentType == "application/problem+json")
    }

    @Test func reservedMembersCannotBeOverriddenAndNonFiniteExtensionsBecomeNull() throws {
        let problem = ProblemDetails(
            status: 400, detail: "d \"quoted\"", type: "https://example.com/p", title: "Custom",
            extensions: [("status", .number(200)), ("bad", .number(.nan)), ("ok", .array([.number(1)]))])
        guard case .object(let object) = try JSONReader.parse(problem.body) else {
            Issue.record("not an object")
            return
        }
        #expect(object.keys == ["type", "title", "status", "detail", "bad", "ok"])
        #expect(object["status"] == .number(400))
        #expect(object["type"] == .string("https://example.com/p"))
        #expect(object["title"] == .string("Custom"))
        #expect(object["detail"] == .string("d \"quoted\""))
        #expect(object["bad"] == .null)
    }

    @Test func titlesDefaultToTheReasonPhrase() {
        #expect(ProblemDetails(status: 400, detail: "x").title == "Bad Request")
        #expect(ProblemDetails(status: 413, detail: "x").title == "Content Too Large")
        #expect(ProblemDetails(status: 404, detail: "x").title == "Not Found")
    }
}
