import Foundation
import GradCheck
import TestSupport
import Testing

/// Every layer of the catalog over the API, in process and over a live socket: /forward and
/// /backward answer what numpy computed (Tests/Fixtures/layers), /gradcheck passes numpy's own
/// gradients, and one wrong entry planted in any gradient fails and is named.
@Suite struct LayersOverHTTPTests {
    static let names = ((try? LayerReference.all()) ?? []).map(\.name)

    /// The fixture as a layer check's body, with numpy's gradients when `withGradients`.
    static func body(_ name: String, gradients: [String: Any]? = nil) throws -> [String: Any] {
        let d = try Fixtures.json("layers/\(name).json")
        var layer = d["hyper"] as! [String: Any]
        layer["type"] = d["type"]
        var body: [String: Any] = ["convention": d["convention"]!, "layer": layer, "inputs": d["inputs"]!]
        if let upstream = d["upstream"] as? [String: Any], !upstream.isEmpty { body["upstream"] = upstream }
        if let gradients { body["gradients"] = gradients }
        return body
    }

    /// The first number inside a nested list (or the number itself) with `delta` added.
    static func planted(_ value: Any, _ delta: Double) -> Any {
        if let number = value as? NSNumber { return number.doubleValue + delta }
        var list = value as! [Any]
        list[0] = planted(list[0], delta)
        return list
    }

    @Test(arguments: names, Transport.allCases)
    func backwardAndCheckAgreeWithNumpy(_ name: String, _ transport: Transport) throws {
        let client = try ServiceClient(transport)
        defer { client.close() }
        let reference = try LayerReference.load(name)
        let backward = try client.post("/backward", body: Bodies.json(try Self.body(name)))
        #expect(backward.status == 200, "\(name): \(String(decoding: backward.body, as: UTF8.self))")
        let gradients = try #require(Bodies.object(backward)?["gradients"] as? [String: Any])
        for (gradient, expected) in reference.gradients {
            let got = LayerReference.tensor(try #require(gradients[gradient], "\(name): no \(gradient)"))
            #expect(got.shape == expected.shape)
            #expect(relativeDifference(got, expected) <= 1e-12, "\(name).\(gradient)")
        }
        let sent = try Fixtures.json("layers/\(name).json")["gradients"] as! [String: Any]
        let check = try #require(Bodies.object(try client.post("/gradcheck", body: Bodies.json(try Self.body(name, gradients: sent)))))
        #expect(check["passed"] as? Bool == true, "\(name): \(check["message"] ?? "")")
        #expect((check["root_causes"] as? [Any])?.isEmpty == true)
    }

    @Test(arguments: names)
    func oneWrongEntryInAnyGradientFailsAndIsNamed(_ name: String) throws {
        let client = try ServiceClient(.inProcess)
        defer { client.close() }
        let sent = try Fixtures.json("layers/\(name).json")["gradients"] as! [String: Any]
        for gradient in sent.keys.sorted() {
            var wrong = sent
            wrong[gradient] = Self.planted(sent[gradient]!, 0.5)
            let response = try client.post("/gradcheck", body: Bodies.json(try Self.body(name, gradients: wrong)))
            let check = try #require(Bodies.object(response), "\(name).\(gradient)")
            #expect(check["passed"] as? Bool == false, "\(name).\(gradient)")
            #expect(check["failed"] as? [String] == [gradient], "\(name).\(gradient): \(check["failed"] ?? "")")
            let causes = check["root_causes"] as? [[String: Any]] ?? []
            #expect(causes.first?["gradient"] as? String == gradient)
        }
    }

    @Test(arguments: Transport.allCases)
    func badLayerBodiesAreProblemsNamingTheField(_ transport: Transport) throws {
        let client = try ServiceClient(transport)
        defer { client.close() }
        let affine: [String: Any] = [
            "layer": ["type": "affine"], "inputs": ["x": [[1, 2], [3, 4]], "w": [[1, 0, 2], [0, 1, 1]], "b": [0.5, 0, 1]],
        ]
        func problem(_ body: [String: Any], _ path: String = "/gradcheck") throws -> (Int, String?, String) {
            let response = try client.post(path, body: Bodies.json(body))
            let object = Bodies.object(response) ?? [:]
            return (response.status, object["field"] as? String, object["detail"] as? String ?? "")
        }
        var body = affine
        body["layer"] = ["type": "affine", "stride": 2]
        #expect(try problem(body).1 == "layer.stride")
        body = affine
        body["layer"] = ["type": "convolution"]
        let unknown = try problem(body)
        #expect(unknown.0 == 422 && unknown.1 == "layer.type" && unknown.2.contains("affine"))
        body = affine
        body["inputs"] = ["x": [[1, 2]], "w": [[1, 0, 2], [0, 1, 1]], "b": [0.5, 0, 1], "z": [1]]
        #expect(try problem(body).1 == "inputs.z")
        body = affine
        body["inputs"] = ["x": [[1, 2, 3]], "w": [[1, 0, 2], [0, 1, 1]], "b": [0.5, 0, 1]]
        let shapes = try problem(body)
        #expect(shapes.0 == 422 && shapes.1 == "inputs.w" && shapes.2.contains("(2, 3)"))
        body = affine
        body["upstream"] = ["dout": [[1, 1]]]
        #expect(try problem(body).1 == "upstream.dout")
        body = affine
        body["gradients"] = ["dz": [[1]]]
        #expect(try problem(body).1 == "gradients.dz")
        // A few bytes describing terabytes: refused before anything is allocated.
        let huge = try problem([
            "layer": ["type": "conv", "stride": 1, "pad": 1_000_000], "inputs": ["x": [[[[1]]]], "w": [[[[1]]]], "b": [0]],
        ])
        #expect(huge.0 == 422 && huge.1 == "inputs.x", "\(huge)")
        let padded = try problem([
            "layer": ["type": "conv", "stride": 100_000, "pad": 100_000], "inputs": ["x": [[[[1]]]], "w": [[[[1]]]], "b": [0]],
        ])
        #expect(padded.0 == 422 && padded.1 == "inputs.x", "\(padded)")
        body = affine
        body["inputs"] = ["x": [[[1, 2], [3]]], "w": [[1]], "b": [1]]
        let ragged = try problem(body, "/forward")
        #expect(ragged.0 == 422 && ragged.1 == "inputs.x" && ragged.2.contains("ragged"))
    }

    /// fc1 -> relu -> fc2 -> sigmoid loss: the own backward passes; fc2's dx doubled is the first
    /// wrong step and the gradients computed from it are propagated.
    @Test(arguments: Transport.allCases)
    func aNetworkOfLayers(_ transport: Transport) throws {
        let client = try ServiceClient(transport)
        defer { client.close() }
        var body: [String: Any] = [
            "X": [[0.5, -1.2, 0.3], [1.5, 0.2, -0.7], [-0.4, 0.9, 1.1], [0.1, 0.1, -2.0]],
            "y": [[0], [1], [1], [0]], "loss": "sigmoid", "reg": 0.05,
            "layers": [
                [
                    "name": "fc1", "type": "affine",
                    "params": [
                        "w": [[0.2, -0.5, 0.1, 0.7], [0.3, 0.8, -0.6, 0.2], [-0.9, 0.4, 0.5, -0.1]], "b": [0.1, -0.2, 0.05, 0],
                    ],
                ],
                ["name": "relu1", "type": "relu"],
                ["name": "fc2", "type": "affine", "params": ["w": [[0.5], [-0.3], [0.8], [0.2]], "b": [0.1]]],
            ],
        ]
        let own = try #require(Bodies.object(try client.post("/gradcheck", body: Bodies.json(body))))
        #expect(own["passed"] as? Bool == true, "\(own["message"] ?? "")")
        let backward = try #require(Bodies.object(try client.post("/backward", body: Bodies.json(body))))
        var gradients = try #require(backward["gradients"] as? [String: [String: Any]])
        #expect(Set(gradients.keys) == ["fc1", "relu1", "fc2"])
        func doubled(_ value: Any) -> Any {
            if let number = value as? NSNumber { return 2 * number.doubleValue }
            return (value as! [Any]).map(doubled)
        }
        gradients["fc2"]!["dx"] = doubled(gradients["fc2"]!["dx"]!)
        gradients["relu1"]!["dx"] = doubled(gradients["relu1"]!["dx"]!)
        gradients["fc1"]!["dw"] = doubled(gradients["fc1"]!["dw"]!)
        gradients["fc1"]!["db"] = doubled(gradients["fc1"]!["db"]!)
        body["gradients"] = gradients
        let check = try #require(Bodies.object(try client.post("/gradcheck", body: Bodies.json(body))))
        #expect(check["passed"] as? Bool == false)
        let causes = check["root_causes"] as? [[String: Any]] ?? []
        #expect(causes.map { $0["gradient"] as? String } == ["fc2.dx"])
        #expect(Set(check["propagated"] as? [String] ?? []) == ["relu1.dx", "fc1.dw", "fc1.db"])
        body["gradients"] = ["fc9": ["dw": [[1]]]]
        let problem = try client.post("/gradcheck", body: Bodies.json(body))
        #expect(problem.status == 422)
        #expect(Bodies.object(problem)?["field"] as? String == "gradients.fc9")
    }
}

/// The NDJSON stream takes layer bodies through the same preparation: a bad one is a 422 before
/// any stream byte, a good one streams and ends with the check's answer.
@Suite struct LayerStreamOverHTTPTests {
    /// Live only: a streamed body is the socket's to deliver.
    @Test func layerChecksStreamAndRefuseBeforeTheStream() throws {
        let client = try ServiceClient(.live)
        defer { client.close() }
        let ndjson = [("Accept", "application/x-ndjson")]
        let good = try client.post("/gradcheck", body: Bodies.json(try LayersOverHTTPTests.body("conv")), headers: ndjson)
        #expect(good.status == 200)
        let lines = String(decoding: good.body, as: UTF8.self).split(separator: "\n")
        let last = try #require(lines.last)
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        #expect(answer["passed"] as? Bool == true)
        var bad = try LayersOverHTTPTests.body("conv")
        bad["layer"] = ["type": "conv", "stride": 1, "pad": 1, "dilation": 2]
        let refused = try client.post("/gradcheck", body: Bodies.json(bad), headers: ndjson)
        #expect(refused.status == 422)
        #expect(Bodies.object(refused)?["field"] as? String == "layer.dilation")
    }
}
