import Foundation
import GradCheck
import TestSupport
import Testing

@testable import GradCheckService

/// The sharded check through the API: partial answers from `/gradcheck` with `shard`, merged by
/// `/gradcheck/merge`, equal the unsharded answer; merges of shards that do not belong together
/// are refused with a 422 that names the problem.
@Suite struct ShardAPITests {
    let api = GradCheckAPI(checker: GradientChecker(engine: FastEngine(threads: 2)))

    /// A random network body: widths 4-5-3-nL, 6 examples, lambd 0.2, with (optionally wrong) gradients.
    static func body(
        activation: Activation, output: OutputLayer, seed: UInt64, epsilon: Double = 1e-7,
        wrongGradients: Bool
    ) -> [String: Any] {
        let nL = output == .sigmoid ? 1 : 3
        let problem = TestProblem.random(widths: [4, 5, 3, nL], m: 6, activation: activation, output: output, lambd: 0.2, seed: seed)
        var body = problem.requestBody
        body["epsilon"] = epsilon
        if wrongGradients {
            var rng = SplitMix64(seed: seed ^ 0xBAD)
            var gradients: [String: Any] = [:]
            for (index, layer) in problem.network.layers.enumerated() {
                for (name, tensor) in [("dW", layer.weights), ("db", layer.bias)] {
                    gradients["\(name)\(index + 1)"] = (0..<tensor.rows).map { _ in (0..<tensor.cols).map { _ in 0.1 * rng.nextGaussian() }
                    }
                }
            }
            body["gradients"] = gradients
        }
        return body
    }

    static func bytes(_ object: Any) throws -> [UInt8] { [UInt8](try JSONSerialization.data(withJSONObject: object)) }

    static func object(_ response: APIResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    func shards(of body: [String: Any], count: Int) throws -> [Any] {
        try (0..<count).map { i in
            var shardBody = body
            shardBody["shard"] = ["index": i, "count": count]
            let response = api.gradcheck(try Self.bytes(shardBody))
            #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
            return try JSONSerialization.jsonObject(with: Data(response.body))
        }
    }

    static func close(_ a: Any?, _ b: Any?) -> Bool {
        guard let a = a as? Double, let b = b as? Double else { return false }
        return a == b || abs(a - b) <= 1e-12 * max(abs(a), abs(b))
    }

    @Test(arguments: Activation.allCases)
    func mergeOfShardsEqualsTheUnshardedAnswer(_ activation: Activation) throws {
        for output in OutputLayer.allCases {
            for wrong in [false, true] {
                let epsilons = activation.hasKinks ? [1e-7, 0.05] : [1e-7]
                for eps in epsilons {
                    let body = Self.body(activation: activation, output: output, seed: 41, epsilon: eps, wrongGradients: wrong)
                    let whole = try Self.object(api.gradcheck(try Self.bytes(body)))
                    for n in [1, 2, 3, 7] {
                        let label = "\(activation.rawValue)/\(output.rawValue)/wrong=\(wrong)/eps=\(eps)/n=\(n)"
                        let partials = try shards(of: body, count: n)
                        let response = api.merge(try Self.bytes(["shards": Array(partials.reversed())]))
                        #expect(response.status == 200, "\(label): \(String(decoding: response.body, as: UTF8.self))")
                        let merged = try Self.object(response)
                        #expect(Self.close(merged["difference"], whole["difference"]), "\(label)")
                        #expect(merged["passed"] as? Bool == whole["passed"] as? Bool, "\(label)")
                        #expect(merged["failed"] as? [String] == whole["failed"] as? [String], "\(label)")
                        for key in ["checked", "kinks", "cost_evaluations"] {
                            #expect(merged[key] as? Int == whole[key] as? Int, "\(label) \(key)")
                        }
                        let mp = try #require(merged["parameters"] as? [String: [String: Any]])
                        let wp = try #require(whole["parameters"] as? [String: [String: Any]])
                        #expect(Set(mp.keys) == Set(wp.keys))
                        for (name, w) in wp {
                            let m = try #require(mp[name])
                            #expect(Self.close(m["difference"], w["difference"]), "\(label) \(name)")
                            #expect(m["passed"] as? Bool == w["passed"] as? Bool, "\(label) \(name)")
                            #expect(m["worst"] as? NSDictionary == w["worst"] as? NSDictionary, "\(label) \(name) worst")
                            #expect(m["kinks"] as? NSDictionary == w["kinks"] as? NSDictionary, "\(label) \(name) kinks")
                            #expect(m["band"] as? String == w["band"] as? String, "\(label) \(name)")
                        }
                        let notes = try #require(merged["notes"] as? [String])
                        #expect(notes.last?.contains("sharded mode") == true)
                    }
                }
            }
        }
    }

    func problem(_ response: APIResponse) throws -> String {
        #expect(response.status == 422)
        return try Self.object(response)["detail"] as? String ?? ""
    }

    @Test func mergeRefusesShardsThatDoNotBelongTogether() throws {
        let body = Self.body(activation: .tanh, output: .sigmoid, seed: 2, wrongGradients: false)
        let three = try shards(of: body, count: 3)
        #expect(try problem(api.merge(try Self.bytes(["shards": [three[0], three[2]]]))).contains("missing index 1"))
        #expect(
            try problem(api.merge(try Self.bytes(["shards": [three[0], three[1], three[1]]]))).contains("index 1 given more than once"))
        var other = body
        other["lambd"] = 0.5
        let foreign = try shards(of: other, count: 3)
        #expect(
            try problem(api.merge(try Self.bytes(["shards": [three[0], foreign[1], three[2]]]))).contains("different network or options"))
        let two = try shards(of: body, count: 2)
        #expect(try problem(api.merge(try Self.bytes(["shards": [three[0], two[1], three[2]]]))).contains("disagree on their count"))
        #expect(try problem(api.merge(try Self.bytes(["shards": []]))).contains("shards"))
        #expect(try problem(api.merge(try Self.bytes(["shards": [["difference": 0.1]]]))).contains("shards[0]"))
        var tampered = three[1] as! [String: Any]
        var parameters = tampered["parameters"] as! [String: Any]
        var w1 = parameters["W1"] as! [String: Any]
        var sums = w1["sums"] as! [String: Any]
        sums["products"] = [1.0]
        w1["sums"] = sums
        parameters["W1"] = w1
        tampered["parameters"] = parameters
        #expect(
            try problem(api.merge(try Self.bytes(["shards": [three[0], tampered, three[2]]]))).contains(
                "shards[1].parameters.W1.sums.products"))
    }

    @Test func shardIsRefusedOutsideFullModeAndOutOfRange() throws {
        let body = Self.body(activation: .relu, output: .sigmoid, seed: 3, wrongGradients: false)
        for (extra, expected) in [
            (["shard": ["index": 3, "count": 3]], "shard"),
            (["shard": ["index": 0, "count": 0]], "shard"),
            (["shard": ["index": 0]], "shard"),
            (["shard": ["index": 0, "count": 2], "mode": "sample"], "full"),
        ] as [([String: Any], String)] {
            var b = body
            for (k, v) in extra { b[k] = v }
            #expect(try problem(api.gradcheck(try Self.bytes(b))).contains(expected), "\(extra)")
        }
        var b = body
        b["shard"] = ["index": 0, "count": 2]
        #expect(try problem(api.gradcheck(try Self.bytes(b), accept: "text/html")).contains("application/json"))
    }

    @Test func eachShardIsPricedByItsOwnCoordinates() throws {
        // A tanh check priced over a budget that half of it fits: refused whole, answered in parts.
        let body = Self.body(activation: .tanh, output: .sigmoid, seed: 5, wrongGradients: false)
        let problem = TestProblem.random(widths: [4, 5, 3, 1], m: 6, activation: .tanh, lambd: 0.2, seed: 5)
        let options = GradientCheckOptions()
        let whole = WorkEstimate(network: problem.network, examples: 6, options: options)
        let halves = (0..<2).map {
            WorkEstimate(network: problem.network, examples: 6, options: options, shard: ShardSpec(index: $0, count: 2))
        }
        #expect(halves.map(\.comparisons).reduce(0, +) == whole.comparisons)
        #expect(halves.allSatisfy { $0.operations < whole.operations })
        let budget = halves.map(\.operations).max()!
        #expect(budget < whole.operations)
        let tight = GradCheckAPI(limits: ComputeLimits(maxOperations: budget), checker: GradientChecker(engine: FastEngine(threads: 2)))
        let refused = tight.gradcheck(try Self.bytes(body))
        #expect(refused.status == 422)
        for i in 0..<2 {
            var part = body
            part["shard"] = ["index": i, "count": 2]
            #expect(tight.gradcheck(try Self.bytes(part)).status == 200, "shard \(i) of 2 fits the budget")
        }
        var one = body
        one["shard"] = ["index": 0, "count": 1]
        let wholeAsShard = try Self.object(tight.gradcheck(try Self.bytes(one)))
        #expect(wholeAsShard["status"] as? Int == 422)
        #expect((wholeAsShard["detail"] as? String)?.contains("this shard is estimated at") == true)
        #expect((wholeAsShard["detail"] as? String)?.contains("\"shard\": {\"count\": ") == true)
        #expect(wholeAsShard["field"] as? String == "shard", "\(wholeAsShard)")
    }
}
