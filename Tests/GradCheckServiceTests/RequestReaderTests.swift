import Foundation
import GradCheck
import JSON
import TestSupport
import Testing

@testable import GradCheckService

@Suite struct RequestReaderTests {
    private func read(_ text: String) throws(RequestError) -> ServiceRequest {
        try RequestReader.read(Array(text.utf8))
    }

    private func network(_ text: String) throws -> NetworkRequest {
        guard case .network(let request) = try read(text) else { throw RequestError.invalidBody("not a network body") }
        return request
    }

    /// The error for `text`, or nil when it was accepted.
    private func error(_ text: String) -> RequestError? {
        do {
            _ = try read(text)
            return nil
        } catch { return error }
    }

    private let base = #""X": [[1, 2], [3, 4]], "Y": [1, 0], "parameters": {"W1": [[0.5, -1]], "b1": [0.25]}"#

    @Test func readsTheNotebookCaseWithDefaults() throws {
        let bytes = Array(try Data(contentsOf: Fixtures.examples.appendingPathComponent("notebook.json")))
        guard case .network(let request) = try RequestReader.read(bytes) else {
            Issue.record("not a network body")
            return
        }
        #expect(request.x.shape == Shape(rows: 4, cols: 3))
        #expect(request.y.shape == Shape(rows: 1, cols: 3))
        #expect(request.x[0, 0] == 1.6243453636632417)
        #expect(Set(request.parameters.keys.map(\.name)) == ["W1", "b1", "W2", "b2", "W3", "b3"])
        #expect(request.parameters[ParameterID(name: "W1")!]?.shape == Shape(rows: 5, cols: 4))
        #expect(request.parameters[ParameterID(name: "b3")!]?.shape == Shape(rows: 1, cols: 1))
        #expect(request.activation == .relu)
        #expect(request.output == .sigmoid)
        #expect(request.lambd == 0)
        #expect(request.gradients == nil)
        #expect(request.epsilon == 1e-7)
        #expect(request.threshold == 1e-7)
        #expect(request.method == .central)
        #expect(request.mode == .full)
    }

    @Test func flatListsAreARowForYAndAColumnForBiases() throws {
        let request = try network("{\(base), \"gradients\": {\"dW1\": [[1, 2]], \"db1\": [3]}}")
        #expect(request.y == Matrix(rows: 1, cols: 2, values: [1, 0]))
        #expect(request.parameters[ParameterID(name: "b1")!] == Matrix(rows: 1, cols: 1, values: [0.25]))
        #expect(request.gradients?[GradientName("db1")!] == Matrix(rows: 1, cols: 1, values: [3]))
        let tall = try network(#"{"X": [[1]], "Y": [[1]], "parameters": {"W1": [[1]], "b1": [1, 2, 3]}}"#)
        #expect(tall.parameters[ParameterID(name: "b1")!]?.shape == Shape(rows: 3, cols: 1))
    }

    @Test func flatListsAreRefusedForXAndWeights() throws {
        #expect(error(#"{"X": [1, 2], "Y": [1], "parameters": {"W1": [[1]], "b1": [1]}}"#)?.field == "X")
        let weight = try #require(error(#"{"X": [[1]], "Y": [1], "parameters": {"W1": [1], "b1": [1]}}"#))
        #expect(weight.field == "parameters.W1")
        #expect(weight.detail.contains("flat list"))
        #expect(error("{\(base), \"gradients\": {\"dW1\": [1, 2]}}")?.field == "gradients.dW1")
    }

    @Test func readsEveryOptionalField() throws {
        let request = try network(
            "{\(base), \"activation\": \"leaky_relu\", \"output\": \"softmax\", \"lambd\": 0.7, "
                + "\"epsilon\": 1e-5, \"threshold\": 2e-7, \"method\": \"complex-step\", \"mode\": \"sample\", \"samples\": 10, \"seed\": 42}"
        )
        #expect(request.activation == .leakyRelu)
        #expect(request.output == .softmax)
        #expect(request.lambd == 0.7)
        #expect(request.epsilon == 1e-5)
        #expect(request.threshold == 2e-7)
        #expect(request.method == .complexStep)
        #expect(request.mode == .sample(count: 10, seed: 42))
        let directional = try network("{\(base), \"mode\": \"directional\", \"directions\": 3.0}")
        #expect(directional.mode == .directional(count: 3, seed: 0))
        #expect(try network("{\(base), \"mode\": \"sample\"}").mode == .sample(count: RequestDefaults.samples, seed: 0))
        #expect(try network("{\(base), \"method\": \"complex-step\"}").epsilon == 1e-20)
    }

    @Test func readsTheScalarCase() throws {
        #expect(try read(#"{"x": 2, "theta": 4}"#) == .scalar(ScalarRequest(x: 2, theta: 4)))
        let full = try read(#"{"x": 2, "theta": 4, "dtheta": 3, "epsilon": 0.01, "threshold": 0.5, "method": "complex-step"}"#)
        #expect(full == .scalar(ScalarRequest(x: 2, theta: 4, dtheta: 3, epsilon: 0.01, threshold: 0.5, method: .complexStep)))
        #expect(error(#"{"x": 2}"#)?.detail == "theta: missing; it is required")
        #expect(error(#"{"x": [2], "theta": 1}"#)?.detail == "x: expected a number, got an array")
        #expect(error(#"{"x": 2, "theta": 1, "mode": "full"}"#)?.field == "mode")
    }

    /// Every field error: the body, the expected status and the exact detail.
    @Test(
        arguments: [
            (
                #"{"X": [[1, 2], [3]], "Y": [1, 0], "parameters": {"W1": [[1]]}}"#, 422,
                "X: row 2 has 1 entry, row 1 has 2 (rows must all be the same length)"
            ),
            (
                #"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4]]}}"#, 422,
                "parameters.W1: row 3 has 4 entries, row 1 has 5 (rows must all be the same length)"
            ),
            (
                #"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1, "2"]]}}"#, 422,
                "parameters.W1: row 1, entry 2 is a string; expected a number"
            ),
            (
                #"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1, null]]}}"#, 422,
                "parameters.W1: row 1, entry 2 is null; expected a number"
            ),
            (
                #"{"X": [[1]], "Y": [1], "parameters": {"W1": [[[1]]]}}"#, 422,
                "parameters.W1: row 1, entry 1 is an array; expected a number (matrices are 2-D: a list of rows of numbers)"
            ),
            (
                #"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1], 2]}}"#, 422,
                "parameters.W1: row 2 is a number; expected a list of numbers (every row must be a list)"
            ),
            (
                #"{"X": [[1]], "Y": [1], "parameters": {"W1": [[]]}}"#, 422,
                "parameters.W1: row 1 is empty; a matrix needs at least one column"
            ),
            (#"{"X": [], "Y": [1], "parameters": {"W1": [[1]]}}"#, 422, "X: empty list; a matrix needs at least one row and one column"),
            (#"{"X": "abc", "Y": [1], "parameters": {"W1": [[1]]}}"#, 422, "X: expected a nested list of numbers (a matrix), got a string"),
            (
                #"{"X": [[1]], "Y": [1], "parameters": {"W0": [[1]]}}"#, 422,
                "parameters.W0: unknown key; expected W1, b1, ..., WL, bL (layers count from 1)"
            ),
            (
                #"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1]], "b1": [0], "gamma1": [[1]]}}"#, 422,
                "parameters.gamma1: unknown key; expected W1, b1, ..., WL, bL (layers count from 1)"
            ),
            (#"{"X": [[1]], "Y": [1], "parameters": {}}"#, 422, "parameters: empty object; expected W1, b1, ..., WL, bL"),
            (
                #"{"X": [[1]], "Y": [1], "parameters": [[1]]}"#, 422,
                "parameters: expected an object of matrices (W1, b1, ...), got an array"
            ),
            (
                #"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1]]}, "gradients": {"W1": [[1]]}}"#, 422,
                "gradients.W1: unknown key; expected dW1, db1, ..., dWL, dbL (layers count from 1), and any of dZ1 ... dZL, dA0 ... dA(L-1) (dAL for a sigmoid output)"
            ),
            (#"{"X": [[1]], "parameters": {"W1": [[1]]}}"#, 422, "Y: missing; it is required"),
            (#"{"X": [[1]], "Y": [1]}"#, 422, "parameters: missing; it is required"),
            (
                #"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1]]}, "activation": "gelu"}"#, 422,
                #"activation: unknown "gelu"; expected relu, tanh, sigmoid, leaky_relu"#
            ),
            (#"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1]]}, "activation": 1}"#, 422, "activation: expected a string, got a number"),
            (
                #"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1]]}, "output": "relu"}"#, 422,
                #"output: unknown "relu"; expected sigmoid, softmax"#
            ),
            (
                #"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1]]}, "method": "forward"}"#, 422,
                #"method: unknown "forward"; expected central, complex-step"#
            ),
            (
                #"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1]]}, "mode": "half"}"#, 422,
                #"mode: unknown "half"; expected full, sample, directional"#
            ),
            (#"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1]]}, "epsilon": 0}"#, 422, "epsilon: must be > 0, got 0"),
            (#"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1]]}, "epsilon": -1e-7}"#, 422, "epsilon: must be > 0, got -1e-07"),
            (#"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1]]}, "epsilon": "1e-7"}"#, 422, "epsilon: expected a number, got a string"),
            (#"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1]]}, "threshold": 0}"#, 422, "threshold: must be > 0, got 0"),
            (#"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1]]}, "lambd": -0.5}"#, 422, "lambd: must be >= 0, got -0.5"),
            (#"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1]]}, "lambd": true}"#, 422, "lambd: expected a number, got a boolean"),
            (
                #"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1]]}, "mode": "sample", "samples": 0}"#, 422,
                "samples: must be a whole number from 1 to 100000000, got 0"
            ),
            (
                #"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1]]}, "mode": "sample", "samples": 2.5}"#, 422,
                "samples: must be a whole number from 1 to 100000000, got 2.5"
            ),
            (
                #"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1]]}, "mode": "sample", "seed": -1}"#, 422,
                "seed: must be a whole number from 0 to 9007199254740992, got -1"
            ),
            (
                #"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1]]}, "samples": 5}"#, 422,
                #"samples: only used with "mode": "sample" or "directional""#
            ),
            (
                #"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1]]}, "mode": "sample", "directions": 5}"#, 422,
                #"directions: only used with "mode": "directional""#
            ),
            (
                #"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1]]}, "epsilion": 1}"#, 422,
                "epsilion: unknown field; expected one of X, Y, parameters, activation, output, lambd, gradients, epsilon, threshold, method, mode, samples, directions, seed, dtype, only, shard"
            ),
            (
                #"{"X": [[1]], "theta": 1}"#, 422,
                "the body mixes network fields (X, parameters) with scalar fields (x, theta); send one kind"
            ),
            (
                #"{"foo": 1}"#, 422,
                "foo: unknown field; expected one of X, Y, parameters, activation, output, lambd, gradients, epsilon, threshold, method, mode, samples, directions, seed, dtype, only, shard"
            ),
            (
                #"{}"#, 422,
                "expected a network body (X, Y, parameters), a layer check (layer, inputs), a network of layers (X, y, layers, loss) or a scalar body (x, theta); got keys: none"
            ),
            (#"[1, 2]"#, 422, "the body is an array; expected a JSON object with X, Y and parameters (or x and theta)"),
            (#"{"x": 1e999, "theta": 1}"#, 422, "x: at byte 6: number 1e999 is out of range for a 64-bit float"),
            (
                #"{"x": NaN, "theta": 1}"#, 400,
                "malformed JSON at byte 6: NaN is not valid JSON (RFC 8259 has no NaN or Infinity); Python's json.dumps writes NaN, Infinity and -Infinity by default: pass allow_nan=False to catch them before sending"
            ),
            ("", 400, "malformed JSON at byte 0: empty body; expected a JSON object"),
            (
                #"{"x": 1, "theta": 2} trailing"#, 400,
                "malformed JSON at byte 21: unexpected 't' after the JSON value ended (trailing garbage)"
            ),
        ] as [(String, Int, String)])
    func fieldErrorsNameTheField(body: String, status: Int, detail: String) throws {
        let error = try #require(self.error(body), "accepted: \(body)")
        #expect(error.status == status)
        #expect(error.detail == detail)
    }

    @Test func theW2RowMessageFromTheBrief() throws {
        let body = #"{"X": [[1]], "Y": [1], "parameters": {"W1": [[1]], "W2": [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4]]}}"#
        let error = try #require(self.error(body))
        #expect(error.field == "parameters.W2")
        #expect(error.detail == "parameters.W2: row 3 has 4 entries, row 1 has 5 (rows must all be the same length)")
    }

    @Test func errorsBecomeProblemBodiesWithTheField() throws {
        let error = try #require(self.error(#"{"x": 2, "theta": 4, "epsilon": 0}"#))
        let problem = try JSONReader.parse(error.problem.bytes)
        guard case .object(let object) = problem else {
            Issue.record("not an object")
            return
        }
        #expect(object["status"] == .number(422))
        #expect(object["title"] == .string("Unprocessable Content"))
        #expect(object["field"] == .string("epsilon"))
        #expect(object["detail"] == .string("epsilon: must be > 0, got 0"))
        let syntax = try #require(self.error("{\"x\": 2,"))
        guard case .object(let syntaxObject) = try JSONReader.parse(syntax.problem.bytes) else { return }
        #expect(syntaxObject["status"] == .number(400))
        #expect(syntaxObject["offset"] == .number(8))
    }
}
