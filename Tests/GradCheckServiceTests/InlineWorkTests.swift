import Foundation
import GradCheck
import HTTPServer
import TestSupport
import Testing

@testable import GradCheckService

/// `/forward` and `/backward` tried on an event loop (`InlineWork`): a small request gets the very
/// answer a worker gives it, limits included; a large body, a large pass, a layer body or a
/// request that would wait for memory is handed to a worker (nil) instead.
@Suite struct InlineWorkTests {
    static let notebook = [UInt8](GradCheckAPITests.notebook)

    /// A body under `InlineWork.maxBodyBytes` whose pass is priced over `InlineWork.maxOperations`:
    /// one input, 1000 examples, 100 hidden units, every number a 0.
    static let smallBodyLargePass: [UInt8] = {
        let examples = 1000
        let hidden = 100
        func row(_ count: Int) -> String { "[" + Array(repeating: "0", count: count).joined(separator: ",") + "]" }
        func column(_ count: Int) -> String { "[" + Array(repeating: "[0]", count: count).joined(separator: ",") + "]" }
        let text = """
            {"X":[\(row(examples))],"Y":[\(row(examples))],"parameters":{"W1":\(column(hidden)),"b1":\(column(hidden)),\
            "W2":[\(row(hidden))],"b2":[[0]]}}
            """
        return Array(text.utf8)
    }()

    @Test func aSmallRequestGetsTheWorkersAnswerInline() throws {
        let api = GradCheckAPI()
        let forward = try #require(api.forwardInline(Self.notebook))
        #expect(forward.status == 200 && forward == api.forward(Self.notebook))
        let backward = try #require(api.backwardInline(Self.notebook))
        #expect(backward.status == 200 && backward == api.backward(Self.notebook))
        let scalar = Array(#"{"x": 2, "theta": 4}"#.utf8)
        #expect(api.forwardInline(scalar) == api.forward(scalar))
    }

    @Test func refusalsAreTheSameInline() throws {
        // Malformed, invalid, and over the compute budget: answered on the loop, as a worker would.
        let api = GradCheckAPI(limits: ComputeLimits(maxOperations: 100))
        for body in [Array("{".utf8), Array(#"{"X": [[1]]}"#.utf8), Self.notebook] {
            let inline = try #require(api.forwardInline(body))
            #expect(inline.status >= 400 && inline == api.forward(body), "\(String(decoding: inline.body, as: UTF8.self))")
        }
        #expect(try #require(api.forwardInline(Self.notebook)).status == 422)
    }

    @Test func aLargeBodyOrALargePassGoesToAWorker() throws {
        let api = GradCheckAPI()
        let big = [UInt8](try Data(contentsOf: Fixtures.directory.appendingPathComponent("100-50-20-1_m64.json")))
        #expect(big.count > InlineWork.maxBodyBytes)
        #expect(api.forwardInline(big) == nil && api.backwardInline(big) == nil)
        #expect(api.forward(big).status == 200)

        let body = Self.smallBodyLargePass
        #expect(body.count <= InlineWork.maxBodyBytes)
        #expect(api.forwardInline(body) == nil && api.backwardInline(body) == nil)
        #expect(api.forward(body).status == 200 && api.backward(body).status == 200)
    }

    @Test func aLayerBodyGoesToAWorker() throws {
        let text = #"{"layer": {"type": "affine"}, "inputs": {"x": [[1, 2], [3, 4]], "w": [[1, 0, 2], [0, 1, 1]], "b": [0.5, 0, 1]}}"#
        let body = Array(text.utf8)
        let api = GradCheckAPI()
        #expect(api.forwardInline(body) == nil && api.backwardInline(body) == nil)
        let answer = api.forward(body)
        #expect(answer.status == 200, "\(String(decoding: answer.body, as: UTF8.self))")
    }

    @Test func aRequestRefusedMemoryOthersHoldGoesToAWorkerAtOnce() throws {
        // The loop never waits for its turn (a worker waits up to `admissionWait`): with the
        // budget taken by others, the attempt hands over, holding nothing.
        let memory = MemoryBudget(limit: 4 << 20)
        let api = GradCheckAPI(memory: memory)
        let taken = memory.limit - 1024
        #expect(memory.reserve(taken))
        #expect(api.forwardInline(Self.notebook) == nil && api.backwardInline(Self.notebook) == nil)
        #expect(memory.reservedBytes == taken)
        memory.release(taken)
        #expect(try #require(api.forwardInline(Self.notebook)).status == 200)
        #expect(memory.reservedBytes == 0)
    }
}
