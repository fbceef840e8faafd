import Foundation
import Testing

@testable import GradCheckService

/// Keeps the OpenAPI response schemas true to what the endpoints actually answer: every member
/// a real answer carries is described, and every member the schema requires is there.
@Suite struct OpenAPIResponseTests {
    let api = GradCheckAPI()

    private static func schemas() throws -> [String: Any] {
        let document = try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.bytes)) as! [String: Any]
        return (document["components"] as! [String: Any])["schemas"] as! [String: Any]
    }

    private static func expectConforms(_ answer: [String: Any], to schemaName: String) throws {
        let schema = try #require(try schemas()[schemaName] as? [String: Any])
        let properties = try #require(schema["properties"] as? [String: Any])
        let required = schema["required"] as? [String] ?? []
        for key in answer.keys { #expect(properties[key] != nil, "\(schemaName) does not describe \(key)") }
        for key in required { #expect(answer[key] != nil, "\(schemaName) requires \(key), the answer lacks it") }
    }

    @Test func gradcheckAnswersMatchTheirSchemas() throws {
        let buggy = try GradCheckAPITests.notebookBody(adding: [
            "gradients": (GradCheckAPITests.expected["notebook_buggy_gradients"] as! [String: Any])["gradients"]!
        ])
        for body in [
            buggy, try GradCheckAPITests.notebookBody(adding: ["mode": "directional", "directions": 2]),
            Array(#"{"x": 2, "theta": 4}"#.utf8),
        ] {
            let response = api.gradcheck(body)
            #expect(response.status == 200)
            let answer = try GradCheckAPITests.object(response)
            try Self.expectConforms(answer, to: "GradcheckResult")
            for case let parameter as [String: Any] in (answer["parameters"] as? [String: Any] ?? [:]).values {
                try Self.expectConforms(parameter, to: "ParameterCheck")
            }
        }
    }

    @Test func problemAnswersMatchTheProblemSchema() throws {
        let answer = try GradCheckAPITests.object(api.forward(Array("[".utf8)))
        try Self.expectConforms(answer, to: "Problem")
    }
}
