import Foundation
import GradCheck
import TestSupport
import Testing

/// The network check's reading of the caller's backward, on the example conv net
/// (conv1 -> relu1 -> pool1 -> fc, softmax, reg 0.1): a tied pooling window given to every
/// maximum fails, an independent slip below layers whose input gradients were not sent is still
/// named, and a dw doubled with its L2 term is a constant factor.
@Suite struct NetworkDiagnosisTests {
    static func body() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.examples.appendingPathComponent("layers/cs231n-convnet.json")))
            as! [String: Any]
    }

    func check(_ body: [String: Any]) throws -> [String: Any] {
        let client = try ServiceClient(.inProcess)
        defer { client.close() }
        let response = try client.post("/gradcheck", body: Bodies.json(body))
        #expect(response.status == 200)
        return try #require(Bodies.object(response))
    }

    static func scaled(_ value: Any, _ factor: Double) -> Any {
        if let number = value as? NSNumber { return factor * number.doubleValue }
        return (value as! [Any]).map { scaled($0, factor) }
    }

    @Test func theExampleNetworkPasses() throws {
        let answer = try check(try Self.body())
        #expect(answer["passed"] as? Bool == true, "\(answer["message"] ?? "")")
    }

    /// pool1's input is relu1's output: windows of zeros tie. Every tied maximum given the whole
    /// upstream fails at pool1.dx, named every_maximum.
    @Test func everyMaximumOfATiedWindowFails() throws {
        var body = try Self.body()
        let network = try #require(body["layers"] as? [[String: Any]])
        var gradients = try #require(body["gradients"] as? [String: [String: Any]])
        // Rebuild pool1.dx from its upstream (fc.dx, reshaped) by the every-maximum rule.
        let x = LayerReference.tensor(body["X"]!)
        let layers: [NetworkLayer] = try network.prefix(2).map { spec in
            var reader = HyperReader([:], prefix: "")
            for (key, value) in spec where !["name", "type", "params"].contains(key) {
                reader = HyperReader(reader.values.merging([key: .number((value as! NSNumber).doubleValue)]) { $1 }, prefix: "")
            }
            let function = try LayerCatalog.make(spec["type"] as! String, convention: .cs231n, hyper: &reader, field: "type")
            let params = (spec["params"] as? [String: Any] ?? [:]).mapValues(LayerReference.tensor)
            return NetworkLayer(name: spec["name"] as! String, type: spec["type"] as! String, function: function, params: params)
        }
        var a = x
        for layer in layers {
            var arguments = layer.params
            arguments["x"] = a
            a = layer.function.forward(arguments)[0]
        }
        let poolSpec = network[2]
        let pool = MaxPoolProbe(
            height: (poolSpec["pool_height"] as! NSNumber).intValue, width: (poolSpec["pool_width"] as! NSNumber).intValue,
            stride: (poolSpec["stride"] as! NSNumber).intValue)
        let upstream = LayerReference.tensor(gradients["fc"]!["dx"]!)
        let (everyMaximum, ties) = pool.everyMaximum(a, upstream: upstream)
        try #require(ties > 0, "the example's relu zeros should tie in some window")
        gradients["pool1"]!["dx"] = everyMaximum.nested
        body["gradients"] = gradients
        let answer = try check(body)
        #expect(answer["passed"] as? Bool == false)
        #expect((answer["failed"] as? [String])?.contains("pool1.dx") == true, "\(answer["failed"] ?? "")")
        let cause = (answer["root_causes"] as? [[String: Any]])?.first { $0["gradient"] as? String == "pool1.dx" }
        #expect(cause?["kind"] as? String == "every_maximum", "\(cause ?? [:])")
    }

    /// fc.dw wrong, fc.dx right, no input gradient sent for pool1, relu1 or conv1, and conv1.dw
    /// rotated: two mistakes, both named.
    @Test func anIndependentSlipBelowUnsentGradientsIsNamed() throws {
        var body = try Self.body()
        var gradients = try #require(body["gradients"] as? [String: [String: Any]])
        let flipped =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: Fixtures.examples.appendingPathComponent("layers/cs231n-convnet.fails-conv1.dw-flipped_kernel.json"))
            )
            as! [String: Any]
        gradients["conv1"]!["dw"] = (flipped["gradients"] as! [String: [String: Any]])["conv1"]!["dw"]
        gradients["fc"]!["dw"] = Self.scaled(gradients["fc"]!["dw"]!, 3)
        gradients["pool1"] = nil
        gradients["relu1"] = nil
        gradients["conv1"]!["dx"] = nil
        body["gradients"] = gradients
        let answer = try check(body)
        let causes = (answer["root_causes"] as? [[String: Any]] ?? []).map {
            ($0["gradient"] as? String ?? "", $0["kind"] as? String ?? "")
        }
        #expect(causes.contains { $0 == ("fc.dw", "scaled") }, "\(causes)")
        #expect(causes.contains { $0 == ("conv1.dw", "flipped_kernel") }, "\(causes)")
        #expect((answer["propagated"] as? [String])?.contains("conv1.dw") == false)
    }

    @Test func aDwDoubledWithItsL2TermIsAConstantFactor() throws {
        var body = try Self.body()
        var gradients = try #require(body["gradients"] as? [String: [String: Any]])
        gradients["fc"]!["dw"] = Self.scaled(gradients["fc"]!["dw"]!, 2)
        body["gradients"] = gradients
        let answer = try check(body)
        let cause = (answer["root_causes"] as? [[String: Any]])?.first { $0["gradient"] as? String == "fc.dw" }
        #expect(cause?["kind"] as? String == "scaled", "\(cause ?? [:])")
        #expect(cause?["factor"] as? Double == 2)
    }
}

/// A max pool backward written the every-maximum way (the slip), from the math, for the test.
struct MaxPoolProbe {
    let height: Int
    let width: Int
    let stride: Int

    /// dx with each window's upstream sent to every entry equal to its maximum; and how many
    /// windows tie.
    func everyMaximum(_ x: Tensor, upstream: Tensor) -> (Tensor, Int) {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let outH = 1 + (h - height) / stride
        let outW = 1 + (w - width) / stride
        var dx = Tensor(zeros: x.shape)
        var ties = 0
        for i in 0..<n {
            for ch in 0..<c {
                for r in 0..<outH {
                    for q in 0..<outW {
                        var best = -Double.infinity
                        var at: [Int] = []
                        for dr in 0..<height {
                            for dq in 0..<width {
                                let k = ((i * c + ch) * h + r * stride + dr) * w + q * stride + dq
                                if x.values[k] > best {
                                    best = x.values[k]
                                    at = [k]
                                } else if x.values[k] == best {
                                    at.append(k)
                                }
                            }
                        }
                        if at.count > 1 { ties += 1 }
                        let u = upstream.values.count == n * c * outH * outW ? upstream.values[((i * c + ch) * outH + r) * outW + q] : 0
                        for k in at { dx.values[k] += u }
                    }
                }
            }
        }
        return (dx, ties)
    }
}

extension Tensor {
    /// As numpy's `.tolist()` nests it.
    var nested: Any {
        func level(_ axis: Int, _ offset: Int) -> Any {
            let stride = shape[(axis + 1)...].reduce(1, *)
            if axis == shape.count - 1 { return Array(values[offset..<(offset + shape[axis])]) }
            return (0..<shape[axis]).map { level(axis + 1, offset + $0 * stride) }
        }
        return shape.isEmpty ? values[0] : level(0, 0)
    }
}
