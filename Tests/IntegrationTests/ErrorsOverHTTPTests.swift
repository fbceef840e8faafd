import Foundation
import Testing

/// Every class of bad input gets a 4xx problem+json answer that names what is wrong, through the
/// router in process and over a live socket alike.
@Suite struct ErrorsOverHTTPTests {
    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let path: String
        let body: [UInt8]
        let status: Int
        /// A fragment the `detail` must contain.
        let detail: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "malformed JSON", path: "/forward", body: Array(#"{"X": [[1, 2"#.utf8), status: 400, detail: "malformed JSON"),
        Case(
            name: "trailing garbage", path: "/forward", body: Array(#"{"x": 2, "theta": 4} x"#.utf8), status: 400, detail: "malformed JSON"),
        Case(name: "NaN literal", path: "/forward", body: Array(#"{"x": NaN, "theta": 4}"#.utf8), status: 400, detail: "allow_nan=False"),
        Case(
            name: "Infinity literal", path: "/gradcheck", body: Array(#"{"x": 2, "theta": Infinity}"#.utf8), status: 400,
            detail: "allow_nan=False"),
        Case(
            name: "number out of range", path: "/forward", body: Array(#"{"x": 1e999, "theta": 4}"#.utf8), status: 422,
            detail: "x: at byte 6"),
        Case(
            name: "number out of range in a matrix", path: "/forward",
            body: Array(#"{"X": [[1, 2], [3, -1e400]], "Y": [1, 0], "parameters": {"W1": [[1, 1]], "b1": [0]}}"#.utf8),
            status: 422, detail: "X[1][1]"),
        Case(name: "wrong type", path: "/forward", body: Array(#"{"x": "2", "theta": 4}"#.utf8), status: 422, detail: "x"),
        Case(name: "empty body", path: "/forward", body: [], status: 400, detail: "empty"),
        Case(
            name: "ragged matrix", path: "/forward", body: Bodies.notebook(parameter: "W1", [[1.0, 2.0, 3.0, 4.0], [1.0]]),
            status: 422, detail: "parameters.W1"),
        Case(
            name: "mismatched shapes", path: "/backward", body: Bodies.notebook(parameter: "W2", [[1.0, 2.0]]),
            status: 422, detail: "W2"),
        Case(name: "missing bias", path: "/forward", body: Bodies.notebook(parameter: "b2", NSNull()), status: 422, detail: "b2"),
        Case(
            name: "unknown activation", path: "/forward", body: Bodies.notebook(with: ["activation": "gelu"]),
            status: 422, detail: "activation"),
        Case(
            name: "epsilon not positive", path: "/gradcheck", body: Bodies.notebook(with: ["epsilon": 0]),
            status: 422, detail: "epsilon"),
        Case(
            name: "misshapen caller gradient", path: "/gradcheck",
            body: Bodies.notebook(with: ["gradients": ["dW1": [[1.0]]]]), status: 422, detail: "dW1"),
        Case(
            name: "result overflows", path: "/forward", body: Array(#"{"x": 1e300, "theta": 1e300}"#.utf8),
            status: 422, detail: "overflow"),
    ]

    @Test(arguments: cases, Transport.allCases)
    func badInputIsAProblemNamingTheField(_ testCase: Case, _ transport: Transport) throws {
        let client = try ServiceClient(transport)
        defer { client.close() }
        let response = try client.post(testCase.path, body: testCase.body)
        #expect(response.status == testCase.status)
        #expect(response.header("Content-Type") == "application/problem+json")
        let problem = try #require(Bodies.object(response))
        #expect(problem["status"] as? Int == testCase.status)
        #expect(problem["title"] is String && problem["type"] is String)
        let detail = try #require(problem["detail"] as? String)
        #expect(detail.contains(testCase.detail), "detail: \(detail)")
    }

    @Test func unknownPathAndWrongMethod() throws {
        let service = try LiveService()
        defer { service.stop() }
        let client = try CurlClient()
        let missing = try client.get(service.url("/nope"))
        #expect(missing.status == 404 && Bodies.object(missing)?["status"] as? Int == 404)
        #expect(
            Bodies.object(missing)?["detail"] as? String
                == "no route for /nope; the routes are POST /forward, /backward, /gradcheck, /gradcheck/merge; GET /healthz, /openapi.json, /, /readyz, /metrics"
        )
        let wrongMethod = try client.get(service.url("/gradcheck"))
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("Allow") == "POST")
        #expect(Bodies.object(wrongMethod)?["detail"] is String)
    }

    @Test func workOverTheBudgetIsRefusedUpFront() throws {
        let service = try LiveService { $0.maxOperations = 1e5 }
        defer { service.stop() }
        let body = Bodies.randomNetwork([30, 20, 1], examples: 16, seed: 3)
        let response = try CurlClient().post(service.url("/gradcheck"), body: body)
        #expect(response.status == 422)
        let detail = try #require(Bodies.object(response)?["detail"] as? String)
        #expect(detail.contains("estimated") && detail.contains("directional"))
    }

    @Test func bodyOverTheLimitIs413() throws {
        let service = try LiveService { $0.maxBodyBytes = 1000 }
        defer { service.stop() }
        let response = try CurlClient().post(service.url("/forward"), body: Bodies.notebook)
        #expect(response.status == 413)
        #expect(Bodies.object(response)?["status"] as? Int == 413)
    }
}
