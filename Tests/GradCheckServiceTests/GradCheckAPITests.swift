import Foundation
import GradCheck
import TestSupport
import Testing

@testable import GradCheckService

/// The endpoints called in-process on real request bytes; the same bodies go over a live socket
/// in IntegrationTests.
@Suite struct GradCheckAPITests {
    static let fixtures = Fixtures.directory
    static let notebook = try! Data(contentsOf: Fixtures.examples.appendingPathComponent("notebook.json"))
    static var expected: [String: Any] {
        try! JSONSerialization.jsonObject(
            with: Data(contentsOf: fixtures.appendingPathComponent("notebook-expected.json"))) as! [String: Any]
    }

    let api = GradCheckAPI()

    static func object(_ response: APIResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    /// The notebook body with extra top-level members merged in.
    static func notebookBody(adding extra: [String: Any]) throws -> [UInt8] {
        var body = try JSONSerialization.jsonObject(with: notebook) as! [String: Any]
        for (key, value) in extra { body[key] = value }
        return [UInt8](try JSONSerialization.data(withJSONObject: body))
    }

    @Test func forwardGivesTheNotebookCost() throws {
        let response = api.forward([UInt8](Self.notebook))
        #expect(response.status == 200)
        #expect(response.contentType == "application/json")
        let body = try Self.object(response)
        let cost = try #require(body["cost"] as? Double)
        #expect(abs(cost - 2.407833389834357) / 2.407833389834357 < 1e-12)
        let output = try #require(body["AL"] as? [[Double]])
        #expect(output.count == 1 && output[0].count == 3)
    }

    @Test func backwardMatchesNumpyWithin1e9() throws {
        let body = try Self.object(api.backward([UInt8](Self.notebook)))
        let gradients = try #require(body["gradients"] as? [String: [[Double]]])
        let expectedGradients = Self.expected["gradients"] as! [String: [[Double]]]
        #expect(Set(gradients.keys) == Set(expectedGradients.keys))
        for (name, want) in expectedGradients {
            let got = try #require(gradients[name])
            for (gotRow, wantRow) in zip(got, want) {
                for (g, w) in zip(gotRow, wantRow) { #expect(abs(g - w) < 1e-9, "\(name)") }
            }
        }
    }

    @Test func gradcheckPassesTheServicesOwnBackward() throws {
        let body = try Self.object(api.gradcheck([UInt8](Self.notebook)))
        #expect(body["passed"] as? Bool == true)
        #expect((body["difference"] as? Double ?? 1) < 1e-7)
        #expect((body["message"] as? String)?.hasPrefix("Your backward propagation works perfectly fine!") == true)
        #expect(body["cost_evaluations"] as? Int == 2 * 47)
    }

    @Test func gradcheckPinsTheNotebooksBugsOnW2AndB1() throws {
        let buggy = (Self.expected["notebook_buggy_gradients"] as! [String: Any])["gradients"]!
        let body = try Self.object(api.gradcheck(try Self.notebookBody(adding: ["gradients": buggy])))
        let difference = try #require(body["difference"] as? Double)
        #expect(abs(difference - 0.2850931567761623) / 0.2850931567761623 < 1e-6)
        #expect(body["passed"] as? Bool == false)
        #expect(body["failed"] as? [String] == ["b1", "W2"] || body["failed"] as? [String] == ["W2", "b1"])
        let parameters = try #require(body["parameters"] as? [String: [String: Any]])
        #expect(abs((parameters["W2"]?["ratio"] as? Double ?? 0) - 2) < 1e-3)
        #expect(abs((parameters["b1"]?["ratio"] as? Double ?? 0) - 4) < 1e-3)
        #expect(parameters["W1"]?["passed"] as? Bool == true)
    }

    @Test func scalarCaseThroughAllThreeEndpoints() throws {
        let scalar = Array(#"{"x": 2, "theta": 4}"#.utf8)
        #expect(try Self.object(api.forward(scalar))["J"] as? Double == 8)
        #expect(try Self.object(api.backward(scalar))["dtheta"] as? Double == 2)
        let check = try Self.object(api.gradcheck(scalar))
        #expect(abs((check["difference"] as? Double ?? 1) - 2.919335883291695e-10) < 1e-12)
        #expect(check["message"] as? String == "The gradient is correct!")
        let wrong = try Self.object(api.gradcheck(Array(#"{"x": 2, "theta": 4, "dtheta": 3}"#.utf8)))
        #expect(wrong["passed"] as? Bool == false)
    }

    @Test func shapeMismatchIs422NamingTheKey() throws {
        var body = try JSONSerialization.jsonObject(with: Self.notebook) as! [String: Any]
        var parameters = body["parameters"] as! [String: Any]
        parameters["W2"] = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
        body["parameters"] = parameters
        let response = api.forward([UInt8](try JSONSerialization.data(withJSONObject: body)))
        #expect(response.status == 422)
        #expect(response.contentType == "application/problem+json")
        let problem = try Self.object(response)
        #expect(problem["field"] as? String == "parameters.W2")
        #expect((problem["detail"] as? String)?.contains("(3, 2)") == true)
    }

    @Test func misshapenCallerGradientIs422() throws {
        let response = api.gradcheck(try Self.notebookBody(adding: ["gradients": ["dW1": [[1.0]]]]))
        #expect(response.status == 422)
        #expect(try Self.object(response)["field"] as? String != nil)
    }

    @Test func malformedJSONIs400() throws {
        let gradcheck: (_ body: [UInt8], _ isCancelled: @escaping GradCheckAPI.Cancellation) -> APIResponse = {
            api.gradcheck($0, isCancelled: $1)
        }
        for endpoint in [api.forward, api.backward, gradcheck] {
            let response = endpoint(Array("{\"x\": 2,".utf8)) { false }
            #expect(response.status == 400)
            #expect(try Self.object(response)["status"] as? Int == 400)
        }
    }

    @Test func overflowingResultIsAnErrorNotInfinity() throws {
        let response = api.forward(Array(#"{"x": 1e300, "theta": 1e300}"#.utf8))
        #expect(response.status == 422)
        #expect(!String(decoding: response.body, as: UTF8.self).contains("Infinity"))
        #expect(try Self.object(response)["field"] as? String == "J")
    }

    @Test func workOverTheBudgetIsRefusedWithTheEstimate() throws {
        let network = try NetworkBuilder.network(
            parameters: (try RequestReader.read([UInt8](Self.notebook))).networkParameters, inputs: Matrix(rows: 4, cols: 3),
            labels: Matrix(rows: 1, cols: 3))
        let oneDirection = WorkEstimate(network: network, examples: 3, options: GradientCheckOptions(mode: .directional(count: 1, seed: 0)))
        let full = WorkEstimate(network: network, examples: 3, options: GradientCheckOptions())
        #expect(oneDirection.operations < full.operations)
        let tight = GradCheckAPI(limits: ComputeLimits(maxOperations: oneDirection.operations))
        let response = tight.gradcheck([UInt8](Self.notebook))
        #expect(response.status == 422)
        let detail = try #require(try Self.object(response)["detail"] as? String)
        #expect(detail.contains("operations"))
        #expect(detail.contains("sample") && detail.contains("directional"))
        #expect(try Self.object(response)["field"] as? String == "mode")
        let sampled = tight.gradcheck(try Self.notebookBody(adding: ["mode": "directional", "directions": 1]))
        #expect(sampled.status == 200)
    }

    @Test func sampleAndDirectionalModesAnswer() throws {
        let sample = try Self.object(api.gradcheck(try Self.notebookBody(adding: ["mode": "sample", "samples": 10, "seed": 3])))
        #expect(sample["mode"] as? String == "sample")
        #expect(sample["checked"] as? Int == 10)
        let directional = try Self.object(api.gradcheck(try Self.notebookBody(adding: ["mode": "directional", "directions": 2])))
        #expect(directional["mode"] as? String == "directional")
        #expect((directional["directions"] as? [Any])?.count == 2)
    }
}

extension GradCheckAPITests {
    @Test func forwardAndBackwardAreHeldToTheBudgetToo() throws {
        // A budget of exactly one priced forward pass: /forward fits, /backward (about three
        // passes) does not, and half of it refuses /forward too.
        let network = try NetworkBuilder.network(
            parameters: (try RequestReader.read([UInt8](Self.notebook))).networkParameters, inputs: Matrix(rows: 4, cols: 3),
            labels: Matrix(rows: 1, cols: 3))
        let pass = WorkEstimate.forwardPassOperations(of: network, examples: 3)
        let tight = GradCheckAPI(limits: ComputeLimits(maxOperations: pass))
        #expect(tight.forward([UInt8](Self.notebook)).status == 200)
        let backward = tight.backward([UInt8](Self.notebook))
        #expect(backward.status == 422)
        let problem = try Self.object(backward)
        // The same sentence as a check's refusal, with the advice a pass can take.
        #expect((problem["detail"] as? String)?.hasPrefix("this request is estimated at ") == true)
        #expect((problem["detail"] as? String)?.contains(", over the budget of ") == true)
        #expect(problem["field"] as? String == "X")
        #expect(GradCheckAPI(limits: ComputeLimits(maxOperations: pass / 2)).forward([UInt8](Self.notebook)).status == 422)
    }
}

extension ServiceRequest {
    var networkParameters: [ParameterID: Matrix] {
        if case let .network(request) = self { return request.parameters }
        return [:]
    }
}

extension GradCheckAPITests {
    /// The whole dict the notebook's buggy `backward_propagation_n` returns, as the README shows it.
    static let buggyFullDict = try! Data(
        contentsOf: Fixtures.examples.appendingPathComponent("notebook-buggy-full.json"))

    @Test func theNotebooksWholeBuggyDictNamesBothLines() throws {
        let answer = try Self.object(api.gradcheck([UInt8](Self.buggyFullDict)))
        #expect(answer["passed"] as? Bool == false)
        #expect(answer["convention"] as? String == "sum")
        let intermediates = try #require(answer["intermediates"] as? [String: [String: Any]])
        #expect(Set(intermediates.keys) == ["dZ3", "dA2", "dZ2", "dA1", "dZ1"])
        #expect(intermediates.values.allSatisfy { $0["passed"] as? Bool == true })
        let roots = try #require(answer["root_causes"] as? [[String: Any]])
        #expect(roots.map { $0["gradient"] as? String } == ["dW2", "db1"])
        #expect(roots.map { $0["kind"] as? String } == ["scaled", "scaled"])
        #expect(roots.map { $0["factor"] as? Double } == [2, 4])
        #expect(
            roots.first?["message"] as? String
                == "dZ2 and A1 are right but dW2 is 2 times the right value: the line that computes dW2 multiplies by 2")
        #expect((answer["propagated"] as? [String])?.isEmpty == true)
    }

    @Test func intermediatesOfTheWrongShapeOrLayerAre422() throws {
        var body = try JSONSerialization.jsonObject(with: Self.buggyFullDict) as! [String: Any]
        var gradients = body["gradients"] as! [String: Any]
        gradients["dZ2"] = [[1.0, 2.0]]
        body["gradients"] = gradients
        let misshapen = api.gradcheck([UInt8](try JSONSerialization.data(withJSONObject: body)))
        #expect(misshapen.status == 422)
        #expect(try Self.object(misshapen)["field"] as? String == "gradients.dZ2")
        gradients["dZ2"] = nil
        gradients["dA3"] = [[1.0, 2.0, 3.0]]  // dA3 exists only for a sigmoid output: here it is
        gradients["dZ9"] = [[1.0]]
        body["gradients"] = gradients
        let stray = api.gradcheck([UInt8](try JSONSerialization.data(withJSONObject: body)))
        #expect(stray.status == 422)
        #expect((try Self.object(stray)["detail"] as? String)?.contains("dZ9") == true)
    }
}
