import HTTPServer
import JSON
import Testing

@testable import GradCheckService

/// The one problem type (`ProblemDocument`): what the service's errors and the server's refusals
/// render, with the request id written by the renderer.
@Suite struct ProblemDocumentTests {
    @Test func bodyHasTheRFC9457MembersInOrder() throws {
        let problem = ProblemDocument(status: 422, detail: "epsilon: must be > 0", extensions: [("field", .string("epsilon"))])
        #expect(
            String(decoding: problem.bytes, as: UTF8.self)
                == #"{"type":"about:blank","title":"Unprocessable Content","status":422,"detail":"epsilon: must be > 0","field":"epsilon"}"#
        )
        #expect(ProblemDocument.contentType == "application/problem+json")
    }

    @Test func theRequestIDIsWrittenLastByTheRenderer() throws {
        var problem = RequestError(status: 422, detail: "x", field: "epsilon").problem
        problem.requestID = "abc-1"
        #expect(String(decoding: problem.bytes, as: UTF8.self).hasSuffix(#","field":"epsilon","request_id":"abc-1"}"#))
        // An extension cannot pose as the request id.
        var forged = ProblemDocument(status: 400, detail: "x", extensions: [("request_id", .string("forged"))])
        forged.requestID = "real"
        guard case .object(let object) = try JSONReader.parse(forged.bytes) else {
            Issue.record("not an object")
            return
        }
        #expect(object.keys.filter { $0 == "request_id" }.count == 1)
        #expect(object["request_id"] == .string("real"))
    }

    @Test func reservedMembersCannotBeOverriddenAndNonFiniteExtensionsBecomeNull() throws {
        let problem = ProblemDocument(
            status: 400, detail: "d \"quoted\"", type: "https://example.com/p", title: "Custom",
            extensions: [("status", .number(200)), ("bad", .number(.nan)), ("ok", .array([.number(1)]))])
        guard case .object(let object) = try JSONReader.parse(problem.bytes) else {
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
        #expect(ProblemDocument(status: 400, detail: "x").title == "Bad Request")
        #expect(ProblemDocument(status: 413, detail: "x").title == "Content Too Large")
        #expect(ProblemDocument(status: 404, detail: "x").title == "Not Found")
    }
}
