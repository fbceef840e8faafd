import Foundation
import GradCheck
import TestSupport
import Testing

/// Batch, layer, spatial batch and group norm: the backward against central differences of
/// f = sum(upstream * forward), and every slip's replay distinguishable from the right backward
/// and equal to the numpy generator's own slipped backward (Tests/Fixtures/layer-slips, written
/// by dev/layer-references/norm.py in the staged and one-line styles students write).
@Suite struct NormLayerSlipTests {
    static let types = ["batchnorm", "layernorm", "spatial_batchnorm", "spatial_groupnorm"]

    static func make(_ type: String, _ hyper: [String: HyperValue] = [:]) throws -> any LayerFunction {
        var reader = HyperReader(hyper, prefix: "layer.")
        return try LayerCatalog.make(type, convention: .cs231n, hyper: &reader, field: "layer.type")
    }

    /// A small random case of `type`: x shifted and scaled (like CS231n's notebook), a random
    /// upstream (an all-ones one makes batch norm's dx exactly zero and hides slips).
    static func randomCase(_ type: String, seed: UInt64) throws -> (layer: any LayerFunction, inputs: LayerInputs, upstream: [Tensor]) {
        var rng = SplitMix64(seed: seed)
        func gaussian(_ shape: [Int], scale: Double = 1, shift: Double = 0) -> Tensor {
            Tensor(shape: shape, values: (0..<Tensor.count(of: shape)).map { _ in shift + scale * rng.nextGaussian() })
        }
        let (xShape, parameterShape, hyper): ([Int], [Int], [String: HyperValue]) =
            switch type {
            case "batchnorm": ([5, 4], [4], [:])
            case "layernorm": ([4, 5], [5], ["eps": .number(1e-3)])
            case "spatial_batchnorm": ([2, 3, 2, 3], [3], [:])
            default: ([2, 6, 2, 2], [1, 6, 1, 1], ["G": .number(3)])
            }
        let layer = try make(type, hyper)
        let inputs = ["x": gaussian(xShape, scale: 3, shift: 2), "gamma": gaussian(parameterShape), "beta": gaussian(parameterShape)]
        return (layer, inputs, [gaussian(xShape)])
    }

    /// max |a - b| / max |b|, infinite when the shapes differ.
    static func difference(_ a: Tensor, _ b: Tensor) -> Double {
        a.shape == b.shape ? relativeDifference(a, b) : .infinity
    }

    /// f = sum(upstream * forward) differentiated by central differences (step 1e-6), every real
    /// input entry, by gradient name.
    static func centralDifferences(_ layer: any LayerFunction, _ inputs: LayerInputs, _ upstream: [Tensor]) -> [String: Tensor] {
        func f(_ inputs: LayerInputs) -> Double {
            zip(layer.forward(inputs), upstream).reduce(0) { total, pair in
                total + zip(pair.0.values, pair.1.values).reduce(0) { $0 + $1.0 * $1.1 }
            }
        }
        let h = 1e-6
        var estimates: [String: Tensor] = [:]
        for (gradient, input) in layer.gradientInputs where !layer.integerInputs.contains(input) {
            var perturbed = inputs
            var estimate = Tensor(zeros: inputs[input]!.shape)
            for k in 0..<estimate.count {
                let original = inputs[input]!.values[k]
                perturbed[input]!.values[k] = original + h
                let plus = f(perturbed)
                perturbed[input]!.values[k] = original - h
                let minus = f(perturbed)
                perturbed[input]!.values[k] = original
                estimate.values[k] = (plus - minus) / (2 * h)
            }
            estimates[gradient] = estimate
        }
        return estimates
    }

    @Test(arguments: types)
    func backwardAgreesWithCentralDifferences(_ type: String) throws {
        for seed: UInt64 in [1, 2] {
            let (layer, inputs, upstream) = try Self.randomCase(type, seed: seed)
            #expect(try layer.outputShapes(inputs) == [inputs["x"]!.shape])
            let gradients = layer.backward(inputs, upstream: upstream)
            let estimates = Self.centralDifferences(layer, inputs, upstream)
            #expect(Set(estimates.keys) == ["dx", "dgamma", "dbeta"])
            for (name, estimate) in estimates {
                let got = try #require(gradients[name])
                #expect(got.shape == inputs[String(name.dropFirst())]!.shape, "\(type).\(name) shape")
                let error = Self.difference(got, estimate)
                #expect(error < 1e-6, "\(type).\(name): relative error \(error) against central differences")
            }
        }
    }

    @Test(arguments: types)
    func everySlipDiffersFromTheRightBackward(_ type: String) throws {
        let (layer, inputs, upstream) = try Self.randomCase(type, seed: 7)
        let right = layer.backward(inputs, upstream: upstream)
        #expect(layer.slips.count >= 14)
        for slip in layer.slips {
            let replay = try #require(slip.replay(inputs, upstream), "\(type): \(slip.message) is nil at a generic input")
            #expect(!replay.isEmpty)
            for (name, value) in replay {
                let reference = try #require(right[name], "\(type): \(slip.message) returns an unknown \(name)")
                // Different, and by far more than rounding (eps slips differ by about eps / var).
                let difference = Self.difference(value, reference)
                #expect(difference > 1e-9, "\(type).\(name): \(slip.message) is the right gradient (\(difference))")
                #expect(value.values.allSatisfy { $0.isFinite })
            }
        }
    }

    @Test(arguments: types)
    func everySlipMatchesNumpysSlippedBackward(_ type: String) throws {
        let reference = try LayerReference.load(type)
        let layer = try reference.layer()
        let upstream = reference.orderedUpstream(layer)
        let fixture = try Fixtures.json("layer-slips/\(type).json")
        let numpy = (fixture["slips"] as! [[String: Any]]).map { entry in
            (
                kind: entry["kind"] as! String,
                gradients: (entry["gradients"] as! [String: Any]).mapValues(LayerReference.tensor)
            )
        }
        let replays = layer.slips.map { ($0, $0.replay(reference.inputs, upstream)) }
        func matches(_ kind: LayerSlipKind, _ replay: [String: Tensor]?, _ entry: (kind: String, gradients: [String: Tensor])) -> Bool {
            guard let replay, kind.rawValue == entry.kind, Set(replay.keys) == Set(entry.gradients.keys) else { return false }
            return replay.allSatisfy { Self.difference($0.value, entry.gradients[$0.key]!) <= 1e-11 }
        }
        #expect(replays.count == numpy.count, "\(type): \(replays.count) slips in Swift, \(numpy.count) in numpy")
        for (slip, replay) in replays {
            #expect(numpy.contains { matches(slip.kind, replay, $0) }, "\(type): no numpy slip gives \(slip.kind): \(slip.message)")
        }
        for entry in numpy {
            #expect(
                replays.contains { matches($0.0.kind, $0.1, entry) },
                "\(type): numpy's \(entry.kind) slip with \(entry.gradients.keys.sorted()) has no replay")
        }
    }

    @Test func slipsThatCannotHappenHereAreNil() throws {
        func unavailable(_ layer: any LayerFunction, _ inputs: LayerInputs) -> [String] {
            let upstream = [Tensor(shape: inputs["x"]!.shape, values: inputs["x"]!.values.map { $0 * 0.5 - 1 })]
            return layer.slips.filter { $0.replay(inputs, upstream) == nil }.map(\.message)
        }
        func ramp(_ shape: [Int]) -> Tensor {
            Tensor(shape: shape, values: (0..<Tensor.count(of: shape)).map { Double(($0 * 7) % 5) + 0.25 * Double($0) })
        }
        // eps = 0: the eps slips are the right backward.
        let noEps = try Self.make("batchnorm", ["eps": .number(0)])
        let eps = unavailable(noEps, ["x": ramp([4, 3]), "gamma": ramp([3]), "beta": ramp([3])])
        #expect(eps.count == 4 && eps.allSatisfy { $0.contains("eps") }, "\(eps)")
        // eps = 0 over a constant column: the right backward is not finite (and does not trap),
        // and no slip that divides by sqrt(var) replays.
        let constant: LayerInputs = ["x": Tensor(shape: [3, 2], values: [1, 2, 1, 5, 1, -1]), "gamma": ramp([2]), "beta": ramp([2])]
        #expect(noEps.backward(constant, upstream: [ramp([3, 2])])["dx"]!.values.contains { !$0.isFinite })
        #expect(unavailable(noEps, constant).count >= 4)
        // One example: no N - 1, no variance term; a single feature has no per-example statistics.
        let one = unavailable(try Self.make("batchnorm"), ["x": ramp([1, 3]), "gamma": ramp([3]), "beta": ramp([3])])
        #expect(one.contains { $0.contains("N - 1") } && one.contains { $0.contains("std treated as a constant") }, "\(one)")
        // H * W = 1: the transpose changes nothing.
        let flat = unavailable(try Self.make("spatial_batchnorm"), ["x": ramp([3, 2, 1, 1]), "gamma": ramp([2]), "beta": ramp([2])])
        #expect(flat.count == 3 && flat.allSatisfy { $0.contains("reshape") }, "\(flat)")
        // G = C: strided groups are the consecutive ones, each group is one channel already, and
        // gamma is constant over each group (factoring it out is right).
        let perChannel = unavailable(
            try Self.make("spatial_groupnorm", ["G": .number(2)]),
            ["x": ramp([2, 2, 2, 2]), "gamma": ramp([1, 2, 1, 1]), "beta": ramp([1, 2, 1, 1])])
        #expect(perChannel.count == 3, "\(perChannel)")
        // Batch norms' gamma is constant over each group: no gamma_factored_out slip at all.
        for type in ["batchnorm", "spatial_batchnorm"] {
            #expect(!(try Self.make(type).slips.contains { $0.kind == .gammaFactoredOut }))
        }
    }

    @Test func shapeErrorsNameTheArgumentAndBothShapes() throws {
        let x = Tensor(zeros: [4, 3])
        let batchnorm = try Self.make("batchnorm")
        #expect(throws: LayerError("gamma", "has shape (4,) but x (4, 3) (one per feature) needs (3,)")) {
            try batchnorm.outputShapes(["x": x, "gamma": Tensor(zeros: [4]), "beta": Tensor(zeros: [3])])
        }
        #expect(throws: LayerError("beta", "has shape (3, 1) but x (4, 3) (one per feature) needs (3,)")) {
            try batchnorm.outputShapes(["x": x, "gamma": Tensor(zeros: [3]), "beta": Tensor(zeros: [3, 1])])
        }
        #expect(throws: LayerError.self) {
            try batchnorm.outputShapes(["x": Tensor(zeros: [2, 3, 4]), "gamma": Tensor(zeros: [3]), "beta": Tensor(zeros: [3])])
        }
        #expect(throws: LayerError("x", "has shape (4, 0): every axis needs at least one entry")) {
            try Self.make("layernorm").outputShapes(["x": Tensor(zeros: [4, 0]), "gamma": Tensor(zeros: [0]), "beta": Tensor(zeros: [0])])
        }
        // (1, D) gamma and beta are the same per-feature vectors: accepted, gradients in their shape.
        let row = [
            "x": Tensor(shape: [3, 2], values: [1, 2, 4, 3, 0, 7]), "gamma": Tensor(shape: [1, 2], values: [1, 2]),
            "beta": Tensor(zeros: [1, 2]),
        ]
        #expect(try batchnorm.outputShapes(row) == [[3, 2]])
        #expect(batchnorm.backward(row, upstream: [Tensor(shape: [3, 2], values: [1, -2, 0.5, 3, 2, 1])])["dgamma"]!.shape == [1, 2])

        let spatial = try Self.make("spatial_batchnorm")
        #expect(throws: LayerError("gamma", "has shape (2,) but x (2, 3, 2, 2) (one per channel) needs (3,)")) {
            try spatial.outputShapes(["x": Tensor(zeros: [2, 3, 2, 2]), "gamma": Tensor(zeros: [2]), "beta": Tensor(zeros: [3])])
        }
        let group = try Self.make("spatial_groupnorm", ["G": .number(2)])
        #expect(throws: LayerError("beta", "has shape (1, 3, 1) but x (2, 4, 2, 2) (one per channel) needs (1, 4, 1, 1)")) {
            try group.outputShapes([
                "x": Tensor(zeros: [2, 4, 2, 2]), "gamma": Tensor(zeros: [1, 4, 1, 1]), "beta": Tensor(zeros: [1, 3, 1]),
            ])
        }
    }

    @Test func groupNormRefusesAGThatDoesNotDivideC() throws {
        let group = try Self.make("spatial_groupnorm", ["G": .number(4)])
        do {
            _ = try group.outputShapes([
                "x": Tensor(zeros: [2, 6, 2, 2]), "gamma": Tensor(zeros: [1, 6, 1, 1]), "beta": Tensor(zeros: [1, 6, 1, 1]),
            ])
            Issue.record("G = 4 with C = 6 accepted")
        } catch {
            #expect(error.field == "layer.G")
            #expect(error.message.contains("G = 4") && error.message.contains("6 channels"))
        }
        // G is required and at least 1; eps must not be negative.
        #expect(throws: LayerError.self) { try Self.make("spatial_groupnorm") }
        #expect(throws: LayerError.self) { try Self.make("spatial_groupnorm", ["G": .number(0)]) }
        #expect(throws: LayerError.self) { try Self.make("batchnorm", ["eps": .number(-1)]) }
        #expect(throws: LayerError.self) { try Self.make("layernorm", ["momentum": .number(0.9)]) }
    }

    /// Why the checks draw a random upstream: with dout all ones, batch norm's dx is zero, so
    /// `missing_norm_terms` (dx = gamma / std) is the only slip left visible.
    @Test func anAllOnesUpstreamMakesBatchNormsDxZero() throws {
        let (layer, inputs, _) = try Self.randomCase("batchnorm", seed: 3)
        let ones = Tensor(shape: inputs["x"]!.shape, values: Array(repeating: 1, count: inputs["x"]!.count))
        let dx = layer.backward(inputs, upstream: [ones])["dx"]!
        #expect(dx.values.allSatisfy { abs($0) < 1e-12 })
    }
}
