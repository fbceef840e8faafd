import Foundation
import GradCheck
import TestSupport
import Testing

/// The conv family (conv, pooling, dropout, word embedding, temporal affine, the losses, and the
/// dlai conv and pool adapters): each backward against a central difference computed here, and
/// each slip against the slipped backward of the numpy generator (dev/layer-references/conv.py,
/// Tests/Fixtures/layer-slips): replayed exactly, distinguishable from the right gradient, and
/// nil only where numpy has no such slip.
@Suite struct ConvFamilySlipTests {
    static let slipFixtures: [String] = {
        let folder = Fixtures.url("layer-slips")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        // This family's fixtures (dev/layer-references/conv.py); the others have suites of their own.
        let family: Set<String> = [
            "conv", "max_pool", "avg_pool", "dropout", "word_embedding", "temporal_affine", "softmax_loss", "svm_loss",
            "temporal_softmax_loss", "pool",
        ]
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted().filter { name in
            (try? LayerReference.load(name)).map { family.contains($0.type) } ?? false
        }
    }()

    @Test func slipFixturesExist() {
        #expect(Self.slipFixtures.count >= 3)
    }

    @Test(arguments: slipFixtures)
    func everySlipIsNumpysSlippedBackward(_ name: String) throws {
        let reference = try LayerReference.load(name)
        let layer = try reference.layer()
        let upstream = reference.orderedUpstream(layer)
        let right = layer.backward(reference.inputs, upstream: upstream)
        let expected = try ConvFamilyKit.slips(name)
        let replays = layer.slips.compactMap { slip in slip.replay(reference.inputs, upstream).map { (slip, $0) } }
        #expect(replays.count == expected.count, "\(name): \(replays.count) slips apply, numpy wrote \(expected.count)")
        for (kind, gradients) in expected {
            let found = replays.contains { slip, replay in
                slip.kind.rawValue == kind && Set(replay.keys) == Set(gradients.keys)
                    && gradients.allSatisfy { key, value in
                        replay[key]!.shape == value.shape && relativeDifference(replay[key]!, value) <= 1e-12
                    }
            }
            #expect(found, "\(name): no \(kind) slip replays numpy's \(gradients.keys.sorted())")
        }
        for (slip, replay) in replays {
            for (gradient, value) in replay {
                let correct = try #require(right[gradient], "\(name): \(slip.kind) returns an unknown gradient \(gradient)")
                let differs = value.shape != correct.shape || relativeDifference(value, correct) > 1e-8
                #expect(differs, "\(name): \(slip.kind) (\(slip.message)) leaves \(gradient) right")
            }
        }
    }

    @Test(arguments: ConvFamilyKit.cases.keys.sorted())
    func backwardAgreesWithCentralDifferences(_ name: String) throws {
        let (layer, inputs, upstream) = ConvFamilyKit.cases[name]!()
        _ = try layer.outputShapes(inputs)
        let analytic = layer.backward(inputs, upstream: upstream)
        for (gradient, input) in layer.gradientInputs {
            let numeric = ConvFamilyKit.centralDifference(layer, inputs, upstream, input: input)
            let got = try #require(analytic[gradient])
            #expect(got.shape == numeric.shape, "\(name).\(gradient): shape")
            let error = relativeDifference(got, numeric)
            #expect(error < 1e-6, "\(name).\(gradient): differs from the central difference by \(error)")
        }
    }

    @Test(arguments: ["max_pool", "max_pool_ties_overlap", "dlai_pool_max"])
    func tiedWindowsAreNumpys(_ name: String) throws {
        let reference = try LayerReference.load(name)
        let layer = try reference.layer()
        let data = try Data(contentsOf: Fixtures.url("layer-ties/\(name).json"))
        let expected = try JSONSerialization.jsonObject(with: data) as! [[Int]]
        let input = layer.inputNames[0]
        #expect((layer.tiedGroups(reference.inputs)[input] ?? []) == expected, "\(name): tied windows")
        #expect(name == "max_pool" || !expected.isEmpty, "\(name): the fixture plants ties")
    }

    @Test func shapeErrorsNameTheArgumentAndBothShapes() throws {
        func error(_ layer: any LayerFunction, _ inputs: LayerInputs) -> LayerError? {
            do {
                _ = try layer.outputShapes(inputs)
                return nil
            } catch { return error }
        }
        let conv = ConvLayer(stride: 2, pad: 0)
        let x = Tensor(zeros: [1, 2, 4, 4])
        let notWhole = error(conv, ["x": x, "w": Tensor(zeros: [3, 2, 3, 3]), "b": Tensor(zeros: [3])])
        #expect(notWhole?.field == "x" && notWhole?.message.contains("stride 2") == true, "\(String(describing: notWhole))")
        let channels = error(conv, ["x": x, "w": Tensor(zeros: [3, 1, 2, 2]), "b": Tensor(zeros: [3])])
        #expect(
            channels?.field == "w" && channels?.message.contains("(3, 1, 2, 2)") == true
                && channels?.message.contains("(3, 2, 2, 2)") == true)
        let bias = error(conv, ["x": x, "w": Tensor(zeros: [3, 2, 2, 2]), "b": Tensor(zeros: [2])])
        #expect(bias?.field == "b" && bias?.message.contains("(2,)") == true && bias?.message.contains("(3,)") == true)
        let pool = error(MaxPoolLayer(poolHeight: 2, poolWidth: 2, stride: 2), ["x": Tensor(zeros: [1, 1, 5, 4])])
        #expect(pool?.field == "x" && pool?.message.contains("not a multiple of stride 2") == true)

        let mask = Tensor(shape: [2, 2], values: [1, 0, 1, 1])
        let dropout = error(DropoutLayer(p: 0.5, mask: mask), ["x": Tensor(zeros: [2, 3])])
        #expect(
            dropout?.field == "layer.mask" && dropout?.message.contains("(2, 2)") == true && dropout?.message.contains("(2, 3)") == true)
        var hyper = HyperReader(["p": .number(0.5), "mask": .tensor(Tensor(shape: [2], values: [1, 2]))], prefix: "layer.")
        #expect(throws: LayerError.self) { _ = try LayerCatalog.make("dropout", convention: .cs231n, hyper: &hyper, field: "layer.type") }
        do {
            var again = HyperReader(["p": .number(0.5), "mask": .tensor(Tensor(shape: [2], values: [1, 2]))], prefix: "layer.")
            _ = try LayerCatalog.make("dropout", convention: .cs231n, hyper: &again, field: "layer.type")
        } catch { #expect(error.field == "layer.mask" && error.message.contains("[1]")) }

        let embedding = error(WordEmbeddingLayer(), ["x": Tensor(shape: [1, 2], values: [0, 5]), "W": Tensor(zeros: [5, 3])])
        #expect(embedding?.field == "x" && embedding?.message.contains("[0, 1]") == true && embedding?.message.contains("0..<5") == true)
        let labels = error(SoftmaxLossLayer(), ["x": Tensor(zeros: [2, 3]), "y": Tensor(shape: [2], values: [0, 3])])
        #expect(labels?.field == "y" && labels?.message.contains("0..<3") == true)
        let steps = error(
            TemporalSoftmaxLossLayer(),
            ["x": Tensor(zeros: [1, 2, 3]), "y": Tensor(zeros: [1, 2]), "mask": Tensor(shape: [1, 2], values: [1, 2])])
        #expect(steps?.field == "mask")
        let dlai = error(
            DLAIConvLayer(stride: 1, pad: 0),
            ["A_prev": Tensor(zeros: [1, 4, 4, 2]), "W": Tensor(zeros: [2, 2, 3, 4]), "b": Tensor(zeros: [1, 1, 1, 4])])
        #expect(dlai?.field == "W" && dlai?.message.contains("(2, 2, 2, 4)") == true)
        let big = error(DLAIPoolLayer(f: 5, stride: 1, mode: .max), ["A_prev": Tensor(zeros: [1, 4, 4, 2])])
        #expect(big?.field == "A_prev")
    }

    @Test func catalogMakesTheFamilyAndRefusesUnknownHyperParameters() {
        let cs231n = Set(LayerCatalog.names(.cs231n))
        for type in [
            "conv", "max_pool", "avg_pool", "dropout", "word_embedding", "temporal_affine", "softmax_loss", "svm_loss",
            "temporal_softmax_loss",
        ] {
            #expect(cs231n.contains(type), "cs231n has no \(type)")
        }
        #expect(Set(LayerCatalog.names(.dlai)).isSuperset(of: ["conv", "pool"]))
        func refusal(_ type: String, _ convention: LayerConvention, _ values: [String: HyperValue]) -> LayerError? {
            var hyper = HyperReader(values, prefix: "layer.")
            do {
                _ = try LayerCatalog.make(type, convention: convention, hyper: &hyper, field: "layer.type")
                return nil
            } catch { return error }
        }
        let typo = refusal("conv", .cs231n, ["stride": .number(1), "padding": .number(1)])
        #expect(typo?.field == "layer.padding" && typo?.message.contains("stride, pad") == true, "\(String(describing: typo))")
        #expect(refusal("pool", .dlai, ["f": .number(2), "mode": .text("min")])?.field == "layer.mode")
        #expect(refusal("max_pool", .cs231n, ["pool_height": .number(0)])?.field == "layer.pool_height")
        #expect(refusal("dropout", .cs231n, ["p": .number(0), "mask": .tensor(Tensor(zeros: [1]))])?.field == "layer.p")
        #expect(refusal("dropout", .cs231n, ["p": .number(0.5)])?.field == "layer.mask")
        #expect(refusal("pool", .dlai, ["f": .number(3), "stride": .number(1), "mode": .text("average")]) == nil)
    }

    @Test func convFiltersForwardIsThoseFiltersOfTheForward() {
        let (layer, inputs, _) = ConvFamilyKit.make(
            ConvLayer(stride: 1, pad: 1), ["x": [2, 2, 4, 21], "w": [3, 2, 3, 3], "b": [3]], seed: 21)
        let conv = layer as! ConvLayer
        let full = conv.forward(inputs)[0]
        let plane = full.shape[2] * full.shape[3]
        let part = conv.forward(inputs, filters: 1..<3)
        #expect(part.shape == [2, 2, full.shape[2], full.shape[3]])
        for image in 0..<2 {
            let expected = full.values[(image * 3 + 1) * plane..<(image * 3 + 3) * plane]
            #expect(Array(part.values[image * 2 * plane..<(image + 1) * 2 * plane]) == Array(expected))
        }
    }

    @Test func dlaiAdaptersKeepEverySlipWithItsOwnMessage() {
        #expect(DLAIConvLayer(stride: 1, pad: 1).slips.count == ConvLayer(stride: 1, pad: 1).slips.count)
        #expect(DLAIPoolLayer(f: 2, stride: 1, mode: .max).slips.count == MaxPoolLayer(poolHeight: 2, poolWidth: 2, stride: 1).slips.count)
        #expect(
            DLAIPoolLayer(f: 2, stride: 1, mode: .average).slips.count == AvgPoolLayer(poolHeight: 2, poolWidth: 2, stride: 1).slips.count)
    }

    @Test(arguments: ConvFamilyKit.cases.keys.sorted())
    func everyApplicableSlipDiffersOnRandomInputs(_ name: String) throws {
        let (layer, inputs, upstream) = ConvFamilyKit.cases[name]!()
        let right = layer.backward(inputs, upstream: upstream)
        for slip in layer.slips {
            guard let replay = slip.replay(inputs, upstream) else { continue }
            for (gradient, value) in replay {
                let correct = try #require(right[gradient])
                let differs = value.shape != correct.shape || relativeDifference(value, correct) > 1e-8
                #expect(differs, "\(name): \(slip.kind) leaves \(gradient) right")
            }
        }
    }
}

/// The tests' own helpers: small random layers and a central-difference gradient.
enum ConvFamilyKit {
    typealias Case = @Sendable () -> (any LayerFunction, LayerInputs, [Tensor])

    static func gaussian(_ shape: [Int], _ rng: inout SplitMix64) -> Tensor {
        Tensor(shape: shape, values: (0..<Tensor.count(of: shape)).map { _ in rng.nextGaussian() })
    }

    /// A layer with standard normal inputs (`integers` given) and upstream, at the given shapes.
    static func make(_ layer: any LayerFunction, _ shapes: [String: [Int]], integers: LayerInputs = [:], seed: UInt64) -> (
        any LayerFunction, LayerInputs, [Tensor]
    ) {
        var rng = SplitMix64(seed: seed)
        var inputs = integers
        for name in layer.inputNames where inputs[name] == nil { inputs[name] = gaussian(shapes[name]!, &rng) }
        let outputs = (try? layer.outputShapes(inputs)) ?? []
        let upstream = layer.isLoss ? [] : outputs.map { gaussian($0, &rng) }
        return (layer, inputs, upstream)
    }

    static func integers(_ shape: [Int], _ values: [Double]) -> Tensor { Tensor(shape: shape, values: values) }

    static let cases: [String: Case] = [
        "conv s1 p1": { make(ConvLayer(stride: 1, pad: 1), ["x": [2, 2, 4, 4], "w": [3, 2, 3, 3], "b": [3]], seed: 1) },
        "conv s2 p1": { make(ConvLayer(stride: 2, pad: 1), ["x": [1, 2, 5, 7], "w": [2, 2, 3, 3], "b": [2]], seed: 2) },
        "conv s2 p0 1x3": { make(ConvLayer(stride: 2, pad: 0), ["x": [2, 1, 5, 7], "w": [2, 1, 1, 3], "b": [2]], seed: 3) },
        "max_pool 2x2 s2": { make(MaxPoolLayer(poolHeight: 2, poolWidth: 2, stride: 2), ["x": [2, 2, 4, 4]], seed: 4) },
        "max_pool 3x2 s1": { make(MaxPoolLayer(poolHeight: 3, poolWidth: 2, stride: 1), ["x": [1, 2, 5, 4]], seed: 5) },
        "avg_pool 2x3 s1": { make(AvgPoolLayer(poolHeight: 2, poolWidth: 3, stride: 1), ["x": [1, 2, 4, 6]], seed: 6) },
        "avg_pool 2x2 s2": { make(AvgPoolLayer(poolHeight: 2, poolWidth: 2, stride: 2), ["x": [2, 1, 4, 4]], seed: 7) },
        "dropout p 0.6": {
            let mask = integers([3, 4], [1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0])
            return make(DropoutLayer(p: 0.6, mask: mask), ["x": [3, 4]], seed: 8)
        },
        "word_embedding": {
            make(WordEmbeddingLayer(), ["W": [5, 3]], integers: ["x": integers([2, 3], [0, 3, 3, 4, 0, 2])], seed: 9)
        },
        "temporal_affine": { make(TemporalAffineLayer(), ["x": [2, 3, 4], "w": [4, 5], "b": [5]], seed: 10) },
        "softmax_loss": { make(SoftmaxLossLayer(), ["x": [3, 4]], integers: ["y": integers([3], [0, 3, 1])], seed: 11) },
        "svm_loss": { make(SVMLossLayer(), ["x": [3, 4]], integers: ["y": integers([3], [2, 0, 1])], seed: 12) },
        "temporal_softmax_loss": {
            let y = integers([2, 3], [0, 4, 1, 2, 2, 3])
            let mask = integers([2, 3], [1, 1, 0, 1, 0, 0])
            return make(TemporalSoftmaxLossLayer(), ["x": [2, 3, 5]], integers: ["y": y, "mask": mask], seed: 13)
        },
        "dlai conv s2 p1": {
            make(DLAIConvLayer(stride: 2, pad: 1), ["A_prev": [2, 5, 4, 2], "W": [3, 3, 2, 3], "b": [1, 1, 1, 3]], seed: 14)
        },
        "dlai pool max f3 s2": { make(DLAIPoolLayer(f: 3, stride: 2, mode: .max), ["A_prev": [2, 5, 6, 2]], seed: 15) },
        "dlai pool average f2 s1": { make(DLAIPoolLayer(f: 2, stride: 1, mode: .average), ["A_prev": [1, 3, 4, 2]], seed: 16) },
    ]

    /// f = sum(upstream * forward) (a loss: the loss itself).
    static func objective(_ layer: any LayerFunction, _ inputs: LayerInputs, _ upstream: [Tensor]) -> Double {
        let outputs = layer.forward(inputs)
        if layer.isLoss { return outputs[0].values[0] }
        var total = 0.0
        for (output, up) in zip(outputs, upstream) {
            for (a, b) in zip(output.values, up.values) { total += a * b }
        }
        return total
    }

    /// (f(v + h) - f(v - h)) / 2h for every entry v of `input`, h = 1e-6.
    static func centralDifference(_ layer: any LayerFunction, _ inputs: LayerInputs, _ upstream: [Tensor], input: String) -> Tensor {
        let h = 1e-6
        var perturbed = inputs
        let original = inputs[input]!
        var gradient = Tensor(zeros: original.shape)
        for index in 0..<original.count {
            var plus = original
            plus.values[index] += h
            perturbed[input] = plus
            let up = objective(layer, perturbed, upstream)
            var minus = original
            minus.values[index] -= h
            perturbed[input] = minus
            let down = objective(layer, perturbed, upstream)
            gradient.values[index] = (up - down) / (2 * h)
        }
        return gradient
    }

    /// The numpy generator's slipped gradients for one reference: (kind, gradients).
    static func slips(_ name: String) throws -> [(String, [String: Tensor])] {
        let data = try Data(contentsOf: Fixtures.url("layer-slips/\(name).json"))
        let list = (try JSONSerialization.jsonObject(with: data) as! [String: Any])["slips"] as! [[String: Any]]
        return list.map { entry in
            (entry["kind"] as! String, (entry["gradients"] as! [String: Any]).mapValues(LayerReference.tensor))
        }
    }
}
