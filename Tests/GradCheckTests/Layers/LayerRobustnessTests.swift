import GradCheck
import Testing

/// No layer crashes on arguments of the wrong rank or size: `outputShapes` refuses them (a
/// LayerError the service answers as a 422), and whatever it accepts runs forward, backward,
/// its slips and its tied groups without trapping. Shapes and hyper-parameters are drawn from
/// small ranges that include the edge cases (size 1, rank 0, windows larger than the input).
@Suite struct LayerRobustnessTests {
    static let types = LayerCatalog.all.map { "\($0.convention.rawValue)/\($0.name)" }

    /// Hyper-parameters a layer may ask for, with awkward values among the ordinary ones.
    static func hyper(_ generator: inout SplitMix64) -> [String: HyperValue] {
        func pick(_ values: [Double]) -> HyperValue { .number(values[generator.nextIndex(below: values.count)]) }
        return [
            "stride": pick([1, 2, 3]), "pad": pick([0, 1, 2]), "pool_height": pick([1, 2, 3]), "pool_width": pick([1, 2]),
            "p": pick([0.5, 1, 0.8]), "eps": pick([1e-5, 1e-3]), "G": pick([1, 2, 3]), "alpha": pick([0.01, 0.2]),
            "f": pick([1, 2, 3]), "mode": .text(generator.nextIndex(below: 2) == 0 ? "max" : "average"),
            "mask": .tensor(randomTensor(&generator, integer: true)),
        ]
    }

    /// Rank 0 to 4, sides 1 to 4; integers 0 to 2 (indices, labels, 0/1 masks and a 2 among them).
    static func randomTensor(_ generator: inout SplitMix64, integer: Bool) -> Tensor {
        let rank = generator.nextIndex(below: 5)
        let shape = (0..<rank).map { _ in 1 + generator.nextIndex(below: 4) }
        return Tensor(
            shape: shape,
            values: (0..<Tensor.count(of: shape)).map { _ in integer ? Double(generator.nextIndex(below: 3)) : generator.nextGaussian() })
    }

    @Test(arguments: types)
    func wrongShapesAreRefusedAndAcceptedOnesRun(_ key: String) throws {
        let entry = try #require(LayerCatalog.all.first { "\($0.convention.rawValue)/\($0.name)" == key })
        var generator = SplitMix64(seed: key.utf8.reduce(UInt64(7)) { $0 &* 31 &+ UInt64($1) })
        for _ in 0..<300 {
            var all = Self.hyper(&generator)
            // The layer takes what it asks for; offer it only those (an unknown one is refused).
            var probe = HyperReader(all, prefix: "layer.")
            guard (try? entry.make(&probe)) != nil else { continue }
            all = all.filter { probe.known.contains($0.key) }
            var reader = HyperReader(all, prefix: "layer.")
            guard let layer = try? LayerCatalog.make(entry.name, convention: entry.convention, hyper: &reader, field: "layer.type")
            else { continue }
            var inputs: LayerInputs = [:]
            for name in layer.inputNames {
                inputs[name] = Self.randomTensor(&generator, integer: layer.integerInputs.contains(name))
            }
            guard let shapes = try? layer.outputShapes(inputs) else { continue }
            let outputs = layer.forward(inputs)
            #expect(outputs.map(\.shape) == shapes)
            let upstream = layer.isLoss ? [] : LayerChecker.drawnUpstream(shapes: shapes, seed: 1)
            let gradients = layer.backward(inputs, upstream: upstream)
            for (gradient, input) in layer.gradientInputs {
                #expect(gradients[gradient]?.shape == inputs[input]?.shape, "\(key): \(gradient)")
            }
            for slip in layer.slips { _ = slip.replay(inputs, upstream) }
            _ = layer.tiedGroups(inputs)
        }
    }
}
