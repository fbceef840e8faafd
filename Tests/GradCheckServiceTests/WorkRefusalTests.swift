import Foundation
import GradCheck
import Testing

@testable import GradCheckService

/// A check over the budget is refused with what to do first: a sample that fits, and how long
/// it takes; the reason comes after, short, in the student's words.
@Suite struct WorkRefusalTests {
    static func body(_ object: [String: Any]) throws -> [UInt8] { [UInt8](try JSONSerialization.data(withJSONObject: object)) }

    static func problem(_ response: APIResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    static func rows(_ m: Matrix) -> [[Double]] { (0..<m.rows).map { r in (0..<m.cols).map { m[r, $0] } } }

    /// The leading `"samples": K` of a refusal's detail.
    static func suggestedSamples(_ detail: String) -> Int? {
        let pattern = #"^use "mode": "sample" with "samples": [0-9]+: (about [0-9.]+|under 0.01) s on 2 cores"#
        guard let range = detail.range(of: pattern, options: .regularExpression) else { return nil }
        return Int(detail[range].split(separator: ":")[2].trimmingCharacters(in: .whitespaces))
    }

    /// A tanh network whose full check is over a small budget: the refusal leads with a sample
    /// that the same budget then accepts.
    @Test func aCheckOverTheBudgetSuggestsASampleThatFits() throws {
        var rng = SplitMix64(seed: 4)
        func random(_ rows: Int, _ cols: Int) -> Matrix {
            Matrix(rows: rows, cols: cols, values: (0..<(rows * cols)).map { _ in Double(rng.nextIndex(below: 2001)) / 1000 - 1 })
        }
        // Wide enough that a sampled coordinate costs several times a full check's average one.
        let (x, w1, b1, w2, b2, w3, b3) = (
            random(64, 64), random(64, 64), random(64, 1), random(32, 64), random(32, 1), random(1, 32), random(1, 1)
        )
        let network: [String: Any] = [
            "X": Self.rows(x), "Y": [(0..<64).map { Double($0 % 2) }],
            "parameters": [
                "W1": Self.rows(w1), "b1": Self.rows(b1), "W2": Self.rows(w2), "b2": Self.rows(b2), "W3": Self.rows(w3),
                "b3": Self.rows(b3),
            ],
            "activation": "tanh",
        ]
        let layers = [Layer(weights: w1, bias: b1), Layer(weights: w2, bias: b2), Layer(weights: w3, bias: b3)]
        let priced = WorkEstimate(network: Network(layers: layers, activation: .tanh), examples: 64, options: GradientCheckOptions())
        let api = GradCheckAPI(limits: ComputeLimits(maxOperations: priced.operations / 4))
        let refused = api.gradcheck(try Self.body(network))
        #expect(refused.status == 422)
        let problem = try Self.problem(refused)
        let detail = try #require(problem["detail"] as? String)
        #expect(problem["field"] as? String == "mode")
        let samples = try #require(Self.suggestedSamples(detail), "\(detail)")
        #expect(detail.contains("first; the full check is estimated at"), "\(detail)")
        #expect(!detail.contains("fast path"))
        var sampled = network
        sampled["mode"] = "sample"
        sampled["samples"] = samples
        #expect(api.gradcheck(try Self.body(sampled)).status == 200, "the suggested \(samples) samples are refused too")
    }

    /// ReLU units sitting on their kinks at the check point: priced up front under the budget,
    /// re-priced over it by the engine. The refusal says what to do before why, without the
    /// engine's jargon.
    @Test func aReLUNetworkOnItsKinksIsToldToSampleFirst() throws {
        let n = 48
        var rng = SplitMix64(seed: 9)
        let column = (0..<n).map { _ in Double(1 + rng.nextIndex(below: 3)) }
        let x = Matrix(rows: n, cols: n, values: (0..<(n * n)).map { column[$0 / n] })
        let w1 = Matrix(rows: n, cols: n, values: (0..<(n * n)).map { _ in Double(rng.nextIndex(below: 3)) })
        let a1 = (0..<n).map { r in (0..<n).reduce(0.0) { $0 + w1[r, $1] * column[$1] } }
        let w2 = Matrix(rows: n, cols: n, values: (0..<(n * n)).map { _ in Double(rng.nextIndex(below: 5)) - 2 })
        // b2 puts every unit of layer 2 exactly on its kink for every example.
        let b2 = Matrix(rows: n, cols: 1, values: (0..<n).map { r in -(0..<n).reduce(0.0) { $0 + w2[r, $1] * a1[$1] } })
        let w3 = Matrix(rows: 1, cols: n, values: (0..<n).map { _ in Double(rng.nextIndex(below: 5)) - 2 })
        let network = Network(layers: [
            Layer(weights: w1, bias: Matrix(rows: n, cols: 1)), Layer(weights: w2, bias: b2),
            Layer(weights: w3, bias: Matrix(rows: 1, cols: 1)),
        ])
        let upFront = WorkEstimate(network: network, examples: n, options: GradientCheckOptions())
        let body: [String: Any] = [
            "X": Self.rows(x), "Y": [[Double]](repeating: [Double](repeating: 1, count: n), count: 1),
            "parameters": [
                "W1": Self.rows(w1), "b1": Self.rows(Matrix(rows: n, cols: 1)), "W2": Self.rows(w2), "b2": Self.rows(b2),
                "W3": Self.rows(w3), "b3": [[0.0]],
            ],
        ]
        let api = GradCheckAPI(limits: ComputeLimits(maxOperations: upFront.operations * 2))
        let refused = api.gradcheck(try Self.body(body))
        #expect(refused.status == 422)
        let detail = try #require(try Self.problem(refused)["detail"] as? String)
        let samples = try #require(Self.suggestedSamples(detail), "\(detail)")
        #expect(detail.contains("first; a full check of this ReLU network at this point is priced at"), "\(detail)")
        #expect(!detail.contains("fast path"), "\(detail)")
        var sampled = body
        sampled["mode"] = "sample"
        sampled["samples"] = samples
        #expect(api.gradcheck(try Self.body(sampled)).status == 200, "the suggested \(samples) samples are refused too")
    }

    @Test func secondsAreReadByAPerson() {
        #expect(WorkRefusal.duration(0.4321) == "about 0.43 s")
        #expect(WorkRefusal.duration(12.3) == "about 12 s")
        #expect(WorkRefusal.duration(0.0312) == "about 0.031 s")
        #expect(WorkRefusal.duration(0.00312) == "under 0.01 s")
    }
}
