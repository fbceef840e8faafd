import Foundation
import Testing

/// The notebook's story, told twice: through the application's router in this process and through
/// a live server and libcurl (`Transport`): the cost, the gradients, the check that passes a
/// correct backward and pins the planted bugs on W2 and b1.
@Suite struct NotebookOverHTTPTests {
    @Test(arguments: Transport.allCases)
    func notebookThroughAllThreeEndpoints(_ transport: Transport) throws {
        let client = try ServiceClient(transport)
        defer { client.close() }

        let forward = try client.post("/forward", body: Bodies.notebook)
        #expect(forward.status == 200)
        #expect(forward.header("Content-Type") == "application/json")
        let cost = try #require(Bodies.object(forward)?["cost"] as? Double)
        #expect(abs(cost - 2.407833389834357) / 2.407833389834357 < 1e-12)

        let backward = try client.post("/backward", body: Bodies.notebook)
        let gradients = try #require(Bodies.object(backward)?["gradients"] as? [String: [[Double]]])
        let expected = Bodies.expected["gradients"] as! [String: [[Double]]]
        #expect(Set(gradients.keys) == Set(expected.keys))
        var largest = 0.0
        for (name, want) in expected {
            let got = try #require(gradients[name])
            #expect(got.count == want.count)
            for (gotRow, wantRow) in zip(got, want) {
                #expect(gotRow.count == wantRow.count)
                for (g, w) in zip(gotRow, wantRow) { largest = max(largest, abs(g - w)) }
            }
        }
        #expect(largest < 1e-9, "largest gradient error \(largest)")

        let check = try #require(Bodies.object(try client.post("/gradcheck", body: Bodies.notebook)))
        #expect(check["passed"] as? Bool == true)
        #expect((check["difference"] as? Double ?? 1) < 1e-7)
    }

    @Test(arguments: Transport.allCases)
    func buggyGradientsAreFlaggedOnW2AndB1(_ transport: Transport) throws {
        let client = try ServiceClient(transport)
        defer { client.close() }
        let buggy = (Bodies.expected["notebook_buggy_gradients"] as! [String: Any])["gradients"]!
        let response = try client.post("/gradcheck", body: Bodies.notebook(with: ["gradients": buggy]))
        #expect(response.status == 200)
        let check = try #require(Bodies.object(response))
        let difference = try #require(check["difference"] as? Double)
        #expect(abs(difference - 0.2850931567761623) / 0.2850931567761623 < 1e-6)
        #expect(check["passed"] as? Bool == false)
        #expect(Set(check["failed"] as? [String] ?? []) == ["W2", "b1"])
        let parameters = try #require(check["parameters"] as? [String: [String: Any]])
        #expect((parameters["W2"]?["diagnosis"] as? String)?.contains("2.000 times") == true)
        #expect((parameters["b1"]?["diagnosis"] as? String)?.contains("4.000 times") == true)
        #expect((check["message"] as? String)?.hasPrefix("There is a mistake in the backward propagation!") == true)
    }

    @Test(arguments: Transport.allCases)
    func scalarCaseThroughAllThreeEndpoints(_ transport: Transport) throws {
        let client = try ServiceClient(transport)
        defer { client.close() }
        let body = #"{"x": 2, "theta": 4}"#
        #expect(Bodies.object(try client.post("/forward", json: body))?["J"] as? Double == 8)
        #expect(Bodies.object(try client.post("/backward", json: body))?["dtheta"] as? Double == 2)
        let check = try #require(Bodies.object(try client.post("/gradcheck", json: body)))
        #expect(abs((check["difference"] as? Double ?? 1) - 2.919335883291695e-10) < 1e-12)
        #expect(check["message"] as? String == "The gradient is correct!")
    }

    @Test(arguments: Transport.allCases)
    func complexStepAndCheapModesAnswer(_ transport: Transport) throws {
        let client = try ServiceClient(transport)
        defer { client.close() }
        let complex = try #require(
            Bodies.object(
                try client.post(
                    "/gradcheck",
                    body: Bodies.notebook(with: ["method": "complex-step"]))))
        #expect(complex["method"] as? String == "complex-step")
        #expect((complex["difference"] as? Double ?? 1) < 1e-12)
        let sample = try #require(
            Bodies.object(
                try client.post(
                    "/gradcheck",
                    body: Bodies.notebook(with: ["mode": "sample", "samples": 12, "seed": 7]))))
        #expect(sample["checked"] as? Int == 12)
        let directional = try #require(
            Bodies.object(
                try client.post(
                    "/gradcheck",
                    body: Bodies.notebook(with: ["mode": "directional", "directions": 3]))))
        #expect((directional["directions"] as? [Any])?.count == 3)
    }
}
