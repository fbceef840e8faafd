import JSON
import Testing

@testable import GradCheckService

/// The request reader reads bodies with `packsNumbers` (rows of numbers as `.numbers`): every
/// request and every refusal must be what the unpacked tree gives.
@Suite struct PackedRequestReadingTests {
    private func outcome(_ body: String, packed: Bool) -> Result<ServiceRequest, RequestError> {
        let bytes = Array(body.utf8)
        if packed { return Result { () throws(RequestError) in try RequestReader.read(bytes) } }
        return Result { () throws(RequestError) in
            let value: JSONValue
            do throws(JSONParseError) { value = try JSONReader.parse(bytes) } catch { throw RequestError(error) }
            return try RequestReader.read(value)
        }
    }

    private let params = #""parameters": {"W1": [[0.5, -1]], "b1": [0.25]}"#

    @Test func refusalsAreTheSameWordsAsUnpacked() {
        let bodies = [
            #"{"X": [[1, 2], [3]], "Y": [1, 0], \#(params)}"#,
            #"{"X": [[1, 2], []], "Y": [1, 0], \#(params)}"#,
            #"{"X": [[1, 2], [3, "a"]], "Y": [1, 0], \#(params)}"#,
            #"{"X": [[1, 2], 3], "Y": [1, 0], \#(params)}"#,
            #"{"X": [1, 2], "Y": [1, 0], \#(params)}"#,
            #"{"X": [[[1], [2]]], "Y": [1, 0], \#(params)}"#,
            #"{"X": [[1, [2]]], "Y": [1, 0], \#(params)}"#,
            #"{"X": [[1, 2], [3, 4]], "Y": [[1, 0], [1]], \#(params)}"#,
            #"{"X": [[1, 2], [3, 4]], "Y": [1, 0], "parameters": {"W1": [[0.5, -1]], "b1": [[0.25], [1, 2]]}}"#,
            #"{"X": [[1, 2], [3, 4]], "Y": [1, 0], "parameters": {"W1": [0.5, -1], "b1": [0.25]}}"#,
            #"{"X": [[1, 2], [3, 1e999]], "Y": [1, 0], \#(params)}"#,
            #"{"X": [[1, 2], [3, 4]], "Y": [1, 0], \#(params), "only": [1, 2]}"#,
            #"{"X": [[1, 2], [3, 4]], "Y": [1, 0], \#(params), "only": []}"#,
            #"{"X": [[1, 2], [3, 4]], "Y": [1, 2], \#(params)}"#,
            #"{"convention": "cs231n", "X": [[0, 1]], "y": [[1, 0]], "layers": [1, 2], "loss": "softmax"}"#,
            #"{"convention": "cs231n", "layer": {"type": "affine"}, "inputs": {"x": [[1, 2], [3]], "w": [[1]], "b": [1]}}"#,
            #"{"convention": "cs231n", "layer": {"type": "affine"}, "inputs": {"x": [[[1, 2]], [3, 4]], "w": [[1]], "b": [1]}}"#,
            #"{"convention": "cs231n", "layer": {"type": "affine"}, "inputs": {"x": [[1, 2], [[3], 4]], "w": [[1]], "b": [1]}}"#,
            #"{"convention": "cs231n", "layer": {"type": "affine"}, "inputs": {"x": [[1, 2], [3, 4]], "w": [[1, 2]], "b": [1]}}"#,
            #"{"convention": "cs231n", "layer": {"type": "conv", "stride": [1, 2]}, "inputs": {"x": [[1]]}}"#,
        ]
        for body in bodies {
            let packed = outcome(body, packed: true)
            let plain = outcome(body, packed: false)
            switch (packed, plain) {
            case (.failure(let packedError), .failure(let plainError)): #expect(packedError == plainError, "\(body)")
            case (.success, .success): break  // refused later, where the tree is gone (labels, shapes)
            default: Issue.record("packed: \(packed), unpacked: \(plain): \(body)")
            }
        }
    }

    @Test func acceptedBodiesReadTheSameRequest() throws {
        let bodies = [
            #"{"X": [[1, 2], [3, 4]], "Y": [1, 0], \#(params)}"#,
            #"{"X": [[1, 2]], "Y": [[1, 0]], "parameters": {"W1": [[0.5]], "b1": [[0.25]]}}"#,
            #"{"X": [[1, 2], [3, 4]], "Y": [[1, 0]], \#(params), "only": ["W1"]}"#,
        ]
        for body in bodies {
            let packed = try outcome(body, packed: true).get()
            let plain = try outcome(body, packed: false).get()
            guard case .network(let a) = packed, case .network(let b) = plain else {
                Issue.record("not a network body: \(body)")
                continue
            }
            #expect(a.x == b.x && a.y == b.y && a.parameters == b.parameters && a.only == b.only, "\(body)")
        }
    }
}
