import GradCheck
import TestSupport
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

    static let references = ((try? LayerReference.all()) ?? []).map(\.name)

    /// Near misses of shapes that fit: each reference with one side of one argument one larger or
    /// smaller (a side of 1 made 0 is skipped: requests cannot send empty arrays), and with each
    /// numeric hyper-parameter set to 0 ... 5 (and its reciprocal halves for probabilities).
    @Test(arguments: references)
    func nearMissesAreRefusedOrRun(_ name: String) throws {
        let reference = try LayerReference.load(name)
        let entry = try #require(LayerCatalog.all.first { $0.name == reference.type && $0.convention == reference.convention })
        var generator = SplitMix64(seed: 11)
        func run(_ hyper: [String: HyperValue], _ inputs: LayerInputs) {
            var reader = HyperReader(hyper, prefix: "layer.")
            guard let layer = try? LayerCatalog.make(entry.name, convention: entry.convention, hyper: &reader, field: "layer.type"),
                let shapes = try? layer.outputShapes(inputs)
            else { return }
            let outputs = layer.forward(inputs)
            #expect(outputs.map(\.shape) == shapes, "\(name)")
            let upstream = layer.isLoss ? [] : LayerChecker.drawnUpstream(shapes: shapes, seed: 2)
            let gradients = layer.backward(inputs, upstream: upstream)
            for (gradient, input) in layer.gradientInputs {
                #expect(gradients[gradient]?.shape == inputs[input]?.shape, "\(name): \(gradient)")
            }
            for slip in layer.slips { _ = slip.replay(inputs, upstream) }
            _ = layer.tiedGroups(inputs)
        }
        var layer = reference.hyper
        var probe = HyperReader(layer, prefix: "layer.")
        let made = try? entry.make(&probe)
        #expect(made != nil)
        for (input, tensor) in reference.inputs {
            for axis in tensor.shape.indices {
                for change in [-1, 1] where tensor.shape[axis] + change >= 1 {
                    var shape = tensor.shape
                    shape[axis] += change
                    var inputs = reference.inputs
                    let integer = made?.integerInputs.contains(input) ?? false
                    inputs[input] = Tensor(
                        shape: shape,
                        values: (0..<Tensor.count(of: shape)).map { _ in
                            integer ? Double(generator.nextIndex(below: 3)) : generator.nextGaussian()
                        })
                    run(reference.hyper, inputs)
                }
            }
        }
        for key in reference.hyper.keys.sorted() {
            guard case .number = reference.hyper[key]! else { continue }
            for value in [0, 0.5, 1, 2, 3, 5, -1] {
                layer = reference.hyper
                layer[key] = .number(value)
                run(layer, reference.inputs)
            }
        }
    }
}
