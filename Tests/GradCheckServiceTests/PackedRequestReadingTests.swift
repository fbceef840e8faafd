import Foundation
import JSON
import TestSupport
import Testing

@testable import GradCheckService

/// The request reader reads bodies with `packsNumbers` (rows of numbers as `.numbers`): every
/// request and every refusal must be what the unpacked tree gives.
@Suite struct PackedRequestReadingTests {
    /// `checksKeys`: the unpacked reading refuses unknown top-level keys as they are read, as
    /// the request reader does (the refusal's words differ from the one after the tree is read).
    private func outcome(_ body: String, packed: Bool, checksKeys: Bool = false) -> Result<ServiceRequest, RequestError> {
        let bytes = Array(body.utf8)
        if packed { return Result { () throws(RequestError) in try RequestReader.read(bytes) } }
        return Result { () throws(RequestError) in
            let value: JSONValue
            let keyCheck: JSONReader.TopLevelKeyCheck? = checksKeys ? { RequestReader.refuseUnknownKey($0, earlierMembers: $1) } : nil
            do throws(JSONParseError) { value = try JSONReader.parse(bytes, topLevelKeyCheck: keyCheck) } catch {
                throw RequestError(error)
            }
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
            // Packed matrices: each row ragged, empty or not numbers only, after rows that were.
            #"{"X": [[1, 2], [3, 4], [5]], "Y": [1, 0], \#(params)}"#,
            #"{"X": [[1, 2], [3, 4], [5, 6, 7]], "Y": [1, 0], \#(params)}"#,
            #"{"X": [[1, 2], [3, 4], []], "Y": [1, 0], \#(params)}"#,
            #"{"X": [[1, 2], ["a", "b"]], "Y": [1, 0], \#(params)}"#,
            #"{"X": [[1, 2], [3, 4], null], "Y": [1, 0], \#(params)}"#,
            #"{"X": [[[1, 2], [3, 4]]], "Y": [1, 0], \#(params)}"#,
            #"{"X": [[1, 2], [[3], [4]]], "Y": [1, 0], \#(params)}"#,
            #"{"X": [[1, 2], [3, 4]], "Y": [[[1, 0]]], \#(params)}"#,
            #"{"X": [[1, 2], [3, 4]], "Y": [1, 0], "parameters": {"W1": [[1, 2], [3, 4], [5, -1e999]], "b1": [0]}}"#,
            #"{"X": [[1, 2], [3, 4]], "Y": [1, 0], "parameters": {"W1": [[0.5, -1]], "b1": [[0.25], [1], [2, 3]]}}"#,
            #"{"X": [[1, 2], [3, 4]], "Y": [1, 0], "parameters": {"W1": [[0.5, -1]], "b1": [[[0.25]]]}}"#,
            #"{"X": [[1, 2], [3, 4]], "Y": [1, 0], \#(params), "only": [["W1"]]}"#,
            #"{"X": [[1, 2], [3, 4]], "Y": [1, 0], \#(params), "only": [[1, 2], [3, 4]]}"#,
            #"{"X": [[1, 2], [3, 4]], "Y": [1, 0], \#(params), "lambd": [[1]]}"#,
            #"{"X": [[1, 2], [3, 4]], "Y": [1, 0], \#(params), "shard": [[1]]}"#,
            #"{"X": [[1, 2], [3, 4]], "Y": [1, 0], \#(params), "gradients": {"dW1": [[1, 2], [3]], "db1": [0]}}"#,
            #"{"X": [[1, 2], [3, 4]], "Y": [1, 0], \#(params), "gradients": {"dW1": [[[1, 2]]], "db1": [0]}}"#,
            #"{"convention": "cs231n", "layer": {"type": "affine"}, "inputs": {"x": [[[1, 2], [3, 4]], [[5, 6], [7]]], "w": [[1]], "b": [1]}}"#,
            #"{"convention": "cs231n", "layer": {"type": "affine"}, "inputs": {"x": [[[1, 2]], [[3, 4], [5, 6]]], "w": [[1]], "b": [1]}}"#,
            #"{"convention": "cs231n", "layer": {"type": "affine"}, "inputs": {"x": [[[1, 2], [3, 4]], [5, 6]], "w": [[1]], "b": [1]}}"#,
            #"{"convention": "cs231n", "layer": {"type": "affine"}, "inputs": {"x": [[1, 2], [[3, 4], [5, 6]]], "w": [[1]], "b": [1]}}"#,
            #"{"convention": "cs231n", "layer": {"type": "affine"}, "inputs": {"x": [[[[[[1]]]]]], "w": [[1]], "b": [1]}}"#,
            #"{"convention": "cs231n", "layer": {"type": "affine"}, "inputs": {"x": [[[[[[[1, 2]]]]]]], "w": [[1]], "b": [1]}}"#,
            #"{"convention": "cs231n", "layer": {"type": "affine"}, "inputs": {"x": [[[[[[1, 2], [3]]]]]], "w": [[1]], "b": [1]}}"#,
            #"{"convention": "cs231n", "layer": {"type": "affine"}, "inputs": {"x": [[[1, 2], [3, "a"]]], "w": [[1]], "b": [1]}}"#,
            #"{"convention": "cs231n", "layer": {"type": "conv", "stride": [[1, 2]]}, "inputs": {"x": [[1]]}}"#,
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

    /// Every example body and fixture read packed is the request (or the refusal) read unpacked.
    @Test func everyExampleAndFixtureReadsTheSameRequest() throws {
        let manager = FileManager.default
        var files: [URL] = []
        for directory in [Fixtures.examples, Fixtures.examples.appendingPathComponent("layers"), Fixtures.directory] {
            let names = try manager.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
            files += names.map { directory.appendingPathComponent($0) }
        }
        #expect(files.count > 20)
        var matrices = 0
        for file in files {
            let body = String(decoding: try Data(contentsOf: file), as: UTF8.self)
            let packed = outcome(body, packed: true)
            #expect(packed == outcome(body, packed: false, checksKeys: true), "\(file.lastPathComponent)")
            if case .success = packed { matrices += 1 }
        }
        #expect(matrices > 10)
    }

    @Test func anOutOfRangeEntryOfAPackedMatrixIsNamedByRowAndColumn() {
        let body = #"{"X": [[1, 2], [3, 4]], "Y": [1, 0], "parameters": {"W1": [[1, 2], [3, 4], [5, -1e999]], "b1": [0]}}"#
        guard case .failure(let error) = outcome(body, packed: true) else {
            Issue.record("an out-of-range entry was accepted")
            return
        }
        #expect(error.status == 422 && error.field == "parameters.W1[2][1]")
        #expect(error.detail == "parameters.W1[2][1]: at byte 79: number -1e999 is out of range for a 64-bit float")
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
