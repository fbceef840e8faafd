import Foundation
import GradCheck
import GradCheckService
import TestSupport
import Testing

/// Verdicts that must not pass, over a live socket (and in process): a saturated output with
/// wrong gradients is inconclusive, a tiny wrong tensor fails on its own scale, an honest float16
/// backward among the subnormals is not called wrong.
@Suite struct VerdictTruthOverHTTPTests {
    static func check(_ transport: Transport, _ body: Any) throws -> [String: Any] {
        let client = try ServiceClient(transport)
        defer { client.close() }
        let response = try client.post("/gradcheck", body: Bodies.json(body))
        #expect(response.status == 200, "\(response.text.prefix(300))")
        return try #require(Bodies.object(response))
    }

    /// logit 36 in float64 and the notebook's network pushed to saturation.
    static var saturatedBodies: [[String: Any]] {
        let single: [String: Any] = ["X": [[1, 2, 3]], "Y": [[1, 1, 1]], "parameters": ["W1": [[0]], "b1": [[36]]]]
        var notebook = Bodies.notebookObject
        notebook["Y"] = [[1, 1, 1]]
        var parameters = notebook["parameters"] as! [String: Any]
        parameters["b3"] = (parameters["b3"] as! [[Double]]).map { $0.map { $0 + 40 } }
        notebook["parameters"] = parameters
        return [single, notebook]
    }

    @Test(arguments: Transport.allCases)
    func wrongGradientsAtASaturatedOutputAreInconclusive(_ transport: Transport) throws {
        for body in Self.saturatedBodies {
            let backward = try #require(
                Bodies.object(try ServiceClient(transport).post("/backward", body: Bodies.json(body)))?["gradients"]
                    as? [String: [[Double]]])
            for transform in [{ (_: Double) in 0.0 }, { -$0 }] {
                var sent = body
                sent["gradients"] = backward.mapValues { $0.map { $0.map(transform) } }
                let answer = try Self.check(transport, sent)
                #expect(answer["passed"] as? Bool == false)
                #expect(answer["inconclusive"] as? Bool == true, "\(answer["explanation"] ?? "")")
                let message = try #require(answer["message"] as? String)
                #expect(message.hasPrefix("The check is inconclusive") && message.contains("complex-step"))
                #expect((answer["message"] as? String)?.contains("works perfectly fine") == false)
            }
        }
    }

    @Test(arguments: Transport.allCases)
    func theExactGradientPassesAtASaturatedOutputWithComplexStep(_ transport: Transport) throws {
        let q = 1 / (1 + exp(36.0))
        let body: [String: Any] = [
            "X": [[1, 2, 3]], "Y": [[1, 1, 1]], "parameters": ["W1": [[0]], "b1": [[36]]], "method": "complex-step",
            "gradients": ["dW1": [[-2 * q]], "db1": [[-q]]],
        ]
        let answer = try Self.check(transport, body)
        #expect(answer["passed"] as? Bool == true && answer["inconclusive"] as? Bool == false)
    }

    @Test(arguments: Transport.allCases)
    func aTinyWrongTensorFailsOnItsOwnScale(_ transport: Transport) throws {
        var problem = TestProblem.random(widths: Array(repeating: 3, count: 20) + [1], m: 4, activation: .sigmoid, seed: 5)
        for l in problem.network.layers.indices {
            problem.network.layers[l].weights.values = problem.network.layers[l].weights.values.map { $0 * 0.3 }
        }
        var body = problem.requestBody
        var gradients = problem.network.gradients(inputs: problem.x, labels: problem.y).gradients
        let w1 = ParameterID(layer: 1, kind: .weight)
        gradients.tensors[w1]!.values = gradients.tensors[w1]!.values.map { -$0 }
        var named: [String: Any] = [:]
        for (id, tensor) in gradients.tensors { named[id.gradientName] = tensor.nested }
        body["gradients"] = named
        for only in [nil, ["W1"]] {
            var sent = body
            if let only { sent["only"] = only }
            let answer = try Self.check(transport, sent)
            let parameters = try #require(answer["parameters"] as? [String: [String: Any]])
            let tensor = try #require(parameters["W1"])
            #expect(tensor["passed"] as? Bool == false && tensor["inconclusive"] as? Bool == false)
            #expect(tensor["band"] as? String == "wrong")
            #expect((tensor["difference"] as? Double ?? 0) > 0.99)
            #expect(answer["passed"] as? Bool == false)
            #expect(answer["failed"] as? [String] == ["W1"])
        }
    }

    @Test(arguments: Transport.allCases)
    func anHonestFloat16GradientAmongTheSubnormalsIsNotWrong(_ transport: Transport) throws {
        let body: [String: Any] = [
            "X": [[0.0002999305725097656, 0.00044989585876464844, 0.0005998611450195312, 0.0008997917175292969]],
            "Y": [[0, 0, 0, 0]], "parameters": ["W1": [[1.0]], "b1": [[-7.0]]], "dtype": "float16", "only": ["W1"],
            "gradients": ["dW1": [[4.76837158203125e-07]], "db1": [[0]]],
        ]
        let answer = try Self.check(transport, body)
        #expect(answer["passed"] as? Bool == true, "\(answer["explanation"] ?? "")")
        // A quarter of the scale: two subnormal spacings; never failed.
        var smaller = body
        let xs = [0.0002999305725097656, 0.00044989585876464844, 0.0005998611450195312, 0.0008997917175292969].map {
            Double(Float16($0 / 4))
        }
        smaller["X"] = [xs]
        let exact = xs.reduce(0) { $0 + $1 / (1 + exp(7 - $1)) } / 4
        smaller["gradients"] = ["dW1": [[Double(Float16(exact))]], "db1": [[0]]]
        let small = try Self.check(transport, smaller)
        #expect(small["passed"] as? Bool == true || small["inconclusive"] as? Bool == true, "\(small["explanation"] ?? "")")
    }
}

/// `only` patterns over a live socket: bounded in count (a 422 that names the limit), priced
/// against --max-work, and cheap when they repeat or run long wildcards.
@Suite struct OnlyPatternsOverHTTPTests {
    static func deepBody(layers: Int, only: [String]) -> [UInt8] {
        var parameters: [String: Any] = [:]
        for l in 1...layers {
            parameters["W\(l)"] = [[0.5]]
            parameters["b\(l)"] = [[0.0]]
        }
        return Bodies.json([
            "X": [[1.0]], "Y": [[1]], "parameters": parameters, "mode": "sample", "samples": 1, "activation": "tanh",
            "only": only,
        ])
    }

    static let longWildcard = "W" + String(repeating: "*", count: 62) + "1"

    @Test func tooManyPatternsAreA422NamingTheLimit() throws {
        let service = try LiveService()
        defer { service.stop() }
        let response = try CurlClient().post(
            service.url("/gradcheck"), body: Self.deepBody(layers: 100, only: Array(repeating: Self.longWildcard, count: 20000)))
        #expect(response.status == 422)
        let problem = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(problem["field"] as? String == "only")
        #expect((problem["detail"] as? String)?.contains("at most \(GradientCheckOptions.maxOnlyPatterns)") == true)
    }

    @Test func thousandsOfLongWildcardPatternsAreAnswered() throws {
        let service = try LiveService()
        defer { service.stop() }
        let client = try CurlClient()
        // The same pattern many times, and as many distinct long wildcard runs as are allowed.
        let distinct = (0..<GradientCheckOptions.maxOnlyPatterns).map { k in
            "W" + String(repeating: "*", count: 1 + k % 60) + "\(k % 10)"
        }
        for only in [Array(repeating: Self.longWildcard, count: GradientCheckOptions.maxOnlyPatterns), distinct] {
            let response = try client.post(service.url("/gradcheck"), body: Self.deepBody(layers: 100, only: only))
            #expect(response.status == 200, "\(response.text.prefix(200))")
        }
    }

    @Test func theSelectionIsPricedAgainstMaxWork() throws {
        let service = try LiveService { $0.maxOperations = 1e5 }
        defer { service.stop() }
        let only = (0..<GradientCheckOptions.maxOnlyPatterns).map { "*\($0)*" }
        let response = try CurlClient().post(service.url("/gradcheck"), body: Self.deepBody(layers: 100, only: only))
        #expect(response.status == 422)
        let problem = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(problem["field"] as? String == "only", "\(response.text)")
        #expect((problem["detail"] as? String)?.contains("over the budget") == true)
    }
}

/// Shards of a check whose gradients are 1e-160 or 1e150 times too large or small, over a live
/// socket: the merge answers what the unsharded check answers.
@Suite struct ShardScalesOverHTTPTests {
    @Test(arguments: Transport.allCases, [1e-160, 1e150])
    func mergeEqualsUnshardedAtExtremeScales(_ transport: Transport, scale: Double) throws {
        let client = try ServiceClient(transport)
        defer { client.close() }
        let problem = TestProblem.random(widths: [4, 5, 3, 1], m: 6, activation: .tanh, output: .sigmoid, seed: 29)
        var body = problem.requestBody
        let truth = problem.network.gradients(inputs: problem.x, labels: problem.y).gradients
        var named: [String: Any] = [:]
        for (id, tensor) in truth.tensors { named[id.gradientName] = tensor.nested.map { $0.map { $0 * scale } } }
        body["gradients"] = named
        let whole = try #require(Bodies.object(try client.post("/gradcheck", body: Bodies.json(body))))
        for count in [3, 7] {
            var partials: [Any] = []
            for index in 0..<count {
                var part = body
                part["shard"] = ["index": index, "count": count]
                let response = try client.post("/gradcheck", body: Bodies.json(part))
                #expect(response.status == 200, "\(response.text.prefix(200))")
                partials.append(try JSONSerialization.jsonObject(with: Data(response.body)))
            }
            let response = try client.post("/gradcheck/merge", body: Bodies.json(["shards": partials]))
            #expect(response.status == 200, "\(response.text.prefix(300))")
            let merged = try #require(Bodies.object(response))
            let a = try #require(merged["difference"] as? Double)
            let b = try #require(whole["difference"] as? Double)
            #expect(abs(a - b) <= 1e-12 * b, "scale \(scale), \(count) shards: \(a) vs \(b)")
            #expect(merged["passed"] as? Bool == whole["passed"] as? Bool)
            #expect((merged["failed"] as? [String]) == (whole["failed"] as? [String]))
        }
    }
}

/// Signed partials over a live socket: with a shard key every field of a partial is covered by
/// its HMAC tag, and a merge refuses an edited one; without a key the merge says it verified
/// nothing, and still refuses partials that are inconsistent in themselves.
@Suite struct SignedPartialsOverHTTPTests {
    static let key = String(repeating: "k3y", count: 16)

    static func partials(_ client: CurlClient, _ service: LiveService, count: Int) throws -> [[String: Any]] {
        let buggy = (Bodies.expected["notebook_buggy_gradients"] as! [String: Any])["gradients"]!
        return try (0..<count).map { index in
            let response = try client.post(
                service.url("/gradcheck"), body: Bodies.notebook(with: ["gradients": buggy, "shard": ["index": index, "count": count]]))
            #expect(response.status == 200)
            return try #require(Bodies.object(response))
        }
    }

    /// Every field an attacker might edit, and how.
    static var forgeries: [(String, ([String: Any]) -> [String: Any])] {
        [
            (
                "threshold 1",
                {
                    var p = $0
                    p["threshold"] = 1
                    return p
                }
            ),
            (
                "epsilon",
                {
                    var p = $0
                    p["epsilon"] = 1e-3
                    return p
                }
            ),
            (
                "dtype",
                {
                    var p = $0
                    p["dtype"] = "float16"
                    return p
                }
            ),
            (
                "fingerprint",
                {
                    var p = $0
                    p["fingerprint"] = "0000"
                    return p
                }
            ),
            (
                "difference_squares zeroed",
                { p in
                    var p = p
                    var parameters = p["parameters"] as! [String: Any]
                    for (name, value) in parameters {
                        var tensor = value as! [String: Any]
                        var sums = tensor["sums"] as! [String: Any]
                        sums["difference_squares"] = [0, 0, 0]
                        tensor["sums"] = sums
                        parameters[name] = tensor
                    }
                    p["parameters"] = parameters
                    return p
                }
            ),
            (
                "signature removed",
                {
                    var p = $0
                    p["signature"] = nil
                    return p
                }
            ),
        ]
    }

    @Test func withAKeyAnEditedPartialIsRefusedNamingItsShard() throws {
        let service = try LiveService { $0.shardKey = Array(Self.key.utf8) }
        defer { service.stop() }
        let client = try CurlClient()
        let parts = try Self.partials(client, service, count: 3)
        #expect(parts.allSatisfy { ($0["signature"] as? String)?.count == 64 })
        let honest = try client.post(service.url("/gradcheck/merge"), body: Bodies.json(["shards": parts]))
        let merged = try #require(Bodies.object(honest))
        #expect(merged["passed"] as? Bool == false && merged["verified"] as? Bool == true)
        for (name, forge) in Self.forgeries {
            var edited = parts
            edited[1] = forge(parts[1])
            let response = try client.post(service.url("/gradcheck/merge"), body: Bodies.json(["shards": edited]))
            #expect(response.status == 422, "\(name): \(response.status)")
            #expect(response.text.contains("shard 1"), "\(name): \(response.text.prefix(300))")
        }
    }

    @Test func withoutAKeyTheMergeSaysItVerifiedNothingAndRefusesTheInconsistent() throws {
        let service = try LiveService()
        defer { service.stop() }
        let client = try CurlClient()
        let parts = try Self.partials(client, service, count: 3)
        #expect(parts.allSatisfy { $0["signature"] == nil })
        let merged = try #require(Bodies.object(try client.post(service.url("/gradcheck/merge"), body: Bodies.json(["shards": parts]))))
        #expect(merged["verified"] as? Bool == false)
        #expect((merged["verification"] as? String)?.contains("no shard key") == true)
        // Zeroed difference squares contradict the worst entry each partial lists.
        let zeroed = parts.map { Self.forgeries[4].1($0) }
        let response = try client.post(service.url("/gradcheck/merge"), body: Bodies.json(["shards": zeroed]))
        #expect(response.status == 422, "\(response.text.prefix(300))")
        #expect(response.text.contains("inconsistent"))
    }
}
