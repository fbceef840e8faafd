import Foundation
import GradCheck
import HTTPServer
import JSON
import Testing

@testable import GradCheckService

/// What an attacker (or a careless script) can send: every request is priced before its work
/// starts, memory is reserved in one budget, nonsense is refused with a 422 naming the field,
/// and nothing that was not computed is ever reported as passed.
@Suite struct HostileInputTests {
    typealias Fixture = GradCheckAPITests
    let api = GradCheckAPI()

    private func problem(_ response: APIResponse) throws -> [String: Any] {
        try Fixture.object(response)
    }

    private func body(_ object: [String: Any]) throws -> [UInt8] {
        [UInt8](try JSONSerialization.data(withJSONObject: object))
    }

    @Test func aWideForwardPassIsRefusedBeforeItAllocates() throws {
        // 1 input -> 100,000 units -> 1 over 100,000 examples: 1.8 MB of JSON, 160 GB of Z and A.
        let h = 100_000
        let m = 100_000
        let wide = try body([
            "X": [[Double](repeating: 0.5, count: m)], "Y": [[Double](repeating: 1, count: m)],
            "parameters": [
                "W1": [[Double]](repeating: [0.1], count: h), "b1": [Double](repeating: 0, count: h),
                "W2": [[Double](repeating: 0.1, count: h)], "b2": [0.0],
            ],
        ])
        let lean = GradCheckAPI(limits: ComputeLimits(maxOperations: 1e13), memory: MemoryBudget(limit: 1 << 30))
        let started = Date()
        let response = lean.forward(wide)
        #expect(response.status == 422)
        let detail = try #require(try problem(response)["detail"] as? String)
        #expect(detail.contains("memory") && detail.contains("bytes"), "\(detail)")
        // Allocated, its activations alone would be 80 GB: refused before, it answers at once. The
        // bound is one no loaded machine misses, and no allocation of that size meets.
        #expect(Date().timeIntervalSince(started) < 60)
        #expect(lean.memory.reservedBytes == 0)
    }

    @Test func memoryHeldByOthersIs503WithRetryAfter() throws {
        let memory = MemoryBudget(limit: 64 << 20)
        let api = GradCheckAPI(memory: memory)
        #expect(memory.reserve(memory.limit - 1000))
        let busy = api.gradcheck([UInt8](Fixture.notebook))
        #expect(busy.status == 503)
        #expect(busy.retryAfterSeconds == APIResponse.retryAfterBusy)
        memory.release(memory.limit - 1000)
        #expect(api.gradcheck([UInt8](Fixture.notebook)).status == 200)
        #expect(memory.reservedBytes == 0, "every reservation is released when the answer is made")
    }

    @Test func theJSONTreeIsReservedAsItGrows() throws {
        // "[0]," is the worst case: an array block per four bytes. 80 KB of it asks for more
        // than 2 MB; numpy-style numbers ask for about 4x their bytes.
        let nested = Array("[".utf8) + Array(repeating: Array("[0],".utf8), count: 20_000).flatMap { $0 } + Array("[0]]".utf8)
        var asked = 0
        _ = try JSONReader.parse(
            nested,
            memory: {
                asked += $0
                return true
            })
        #expect(asked >= 20 * nested.count)
        let flat = Array("[".utf8) + Array(repeating: Array("0.12345678901234567,".utf8), count: 50_000).flatMap { $0 } + Array("1]".utf8)
        asked = 0
        _ = try JSONReader.parse(
            flat,
            memory: {
                asked += $0
                return true
            })
        #expect(asked < 5 * flat.count)
        // A refusal stops the parse where the tree outgrew the allowance.
        #expect(throws: JSONParseError.self) { try JSONReader.parse(nested, memory: { _ in false }) }
        // Through the API: a budget too small for the tree is a 422, never a crash or a 400.
        let small = GradCheckAPI(memory: MemoryBudget(limit: 1 << 20))
        let body = Array(#"{"X": "#.utf8) + nested + Array(#", "Y": [1], "parameters": {"W1": [[1]]}}"#.utf8)
        let response = small.forward(body)
        #expect(response.status == 422)
        #expect((try problem(response)["detail"] as? String)?.contains("reading the JSON body") == true)
        #expect(small.memory.reservedBytes == 0)
    }

    @Test func unknownFieldsAreRefusedBeforeTheirValueIsParsed() throws {
        // The value after "junk" is not even valid JSON: a 422 for the key, not a 400 for the
        // value, shows the reader never looked at it.
        let text = #"{"X": [[1]], "junk": [[0], [0], !!!"#
        let response = api.forward(Array(text.utf8))
        #expect(response.status == 422)
        #expect(try problem(response)["field"] as? String == "junk")
        // A known key with broken JSON after it is still a 400.
        #expect(api.forward(Array(#"{"X": [[1]], "Y": !!!"#.utf8)).status == 400)
    }

    @Test(arguments: [
        (#"{"Y": [2, 0, 1]}"#, "Y", "outside [0, 1]"),
        (#"{"Y": [-1, 0, 1]}"#, "Y", "outside [0, 1]"),
        (#"{"epsilon": 5e-324}"#, "epsilon", "must be in"),
        (#"{"epsilon": 1e300}"#, "epsilon", "must be in"),
        (#"{"method": "complex-step", "epsilon": 1e-5}"#, "epsilon", "complex-step"),
    ])
    func nonsenseIsRefusedNamingTheField(extra: String, field: String, words: String) throws {
        let members = try #require(JSONSerialization.jsonObject(with: Data(extra.utf8)) as? [String: Any])
        let response = api.gradcheck(try Fixture.notebookBody(adding: members))
        #expect(response.status == 422)
        let object = try problem(response)
        #expect(object["field"] as? String == field)
        #expect((object["detail"] as? String)?.contains(words) == true, "\(object)")
    }

    @Test func softmaxLabelsMustBeDistributions() throws {
        func softmax(_ y: [[Double]]) throws -> APIResponse {
            api.gradcheck(
                try body([
                    "X": [[1, 2]], "Y": y, "output": "softmax",
                    "parameters": ["W1": [[0.5], [-0.5]], "b1": [0.1, 0.2]],
                ]))
        }
        #expect(try softmax([[1, 0], [0, 1]]).status == 200)
        #expect(try softmax([[0.25, 0.5], [0.75, 0.5]]).status == 200)
        let sums = try softmax([[0.5, 0], [0.4, 1]])
        #expect(sums.status == 422)
        #expect((try problem(sums)["detail"] as? String)?.contains("column 1 sums to") == true)
        let negative = try softmax([[1.5, 0], [-0.5, 1]])
        #expect(negative.status == 422)
        #expect(try problem(negative)["field"] as? String == "Y")
    }

    @Test func overflowIsNeverAPass() throws {
        let response = api.gradcheck(
            try body([
                "X": [[1e308, -1e308]], "Y": [1, 0], "parameters": ["W1": [[1e308]], "b1": [0]],
                "gradients": ["dW1": [[1]], "db1": [1]],
            ]))
        #expect(response.status == 422)
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(!text.contains("\"passed\":true"))
        #expect(text.contains("not finite"))
    }

    @Test func directionCountsArePricedAndTheAnswerStaysBounded() throws {
        let tiny: [String: Any] = ["X": [[1, 2]], "Y": [1, 0], "parameters": ["W1": [[0.5]], "b1": [0.1]], "mode": "directional"]
        var huge = tiny
        huge["directions"] = 10_000_000
        let refused = api.gradcheck(try body(huge))
        #expect(refused.status == 422)
        #expect(try problem(refused)["field"] as? String == "mode")
        var many = tiny
        many["directions"] = WorkEstimate.listedDirections + 500
        let answer = try Fixture.object(api.gradcheck(try body(many)))
        #expect((answer["directions"] as? [Any])?.count == WorkEstimate.listedDirections)
        #expect(answer["checked"] as? Int == WorkEstimate.listedDirections + 500)
        #expect((answer["notes"] as? [String])?.contains { $0.contains("lists the first") } == true)
    }

    @Test func exponentsAreReadExactlyNeverClamped() throws {
        // 0.<a million zeros>1e1000050 is 1e49.
        let text = "0." + String(repeating: "0", count: 1_000_000) + "1e1000050"
        guard case .number(let value) = try JSONReader.parse(text) else {
            Issue.record("not a number")
            return
        }
        #expect(value == 1e49)
        guard case .number(let tiny) = try JSONReader.parse("1" + String(repeating: "0", count: 1000) + "e-1049") else { return }
        #expect(tiny == 1e-49)
    }
}
