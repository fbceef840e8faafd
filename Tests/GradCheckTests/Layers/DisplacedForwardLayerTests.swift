import Testing

@testable import GradCheck

/// The fast path of a network check (a layer's output updated from its cached one when one of its
/// coordinates moves, and no dictionary copied per evaluation) against the plain path (the
/// displaced arguments run through `forward` from scratch): the same values to 1e-12, the same
/// verdicts.
@Suite struct DisplacedForwardLayerTests {
    static func random(_ shape: [Int], seed: UInt64, scale: Double = 1) -> Tensor {
        var generator = SplitMix64(seed: seed)
        return Tensor(shape: shape, values: (0..<Tensor.count(of: shape)).map { _ in scale * generator.nextGaussian() })
    }

    /// max |a - b| / max(1, |b|) over the entries.
    static func gap(_ a: Tensor, _ b: Tensor) -> Double {
        precondition(a.shape == b.shape)
        return zip(a.values, b.values).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
    }

    /// Every entry of every argument in `names`, displaced by `delta`: the hook against `forward`
    /// (and the cached output plus the changes it reports against `forward`, to 1e-12: a change is
    /// a difference of two doubles, so adding it back may round).
    static func largestGap(_ layer: any LayerFunction, _ inputs: LayerInputs, names: [String], delta: Double) -> Double {
        let cached = layer.forward(inputs)
        var largest = 0.0
        var reported = 0.0
        for name in names {
            for i in 0..<inputs[name]!.count {
                var displaced = inputs
                let old = displaced[name]!.values[i]
                displaced[name]!.values[i] = old + delta
                let fast = layer.forward(
                    displaced, displacing: name, entries: [i], by: [displaced[name]!.values[i] - old], from: cached)
                let plain = layer.forward(displaced)
                largest = max(largest, gap(fast.outputs[0], plain[0]))
                // The entries said to change are all that changed, by what is said.
                if let changed = fast.changed {
                    var expected = cached[0]
                    for (i, delta) in zip(changed, fast.deltas) { expected.values[i] += delta }
                    reported = max(reported, gap(expected, plain[0]))
                }
            }
        }
        #expect(reported < 1e-12)
        return largest
    }

    @Test func convFilterSpliceIsBitForBitTheForward() {
        let conv = ConvLayer(stride: 2, pad: 1)
        let inputs: LayerInputs = [
            "x": Self.random([2, 3, 7, 7], seed: 1), "w": Self.random([4, 3, 3, 3], seed: 2), "b": Self.random([4], seed: 3),
        ]
        #expect(Self.largestGap(conv, inputs, names: ["w", "b", "x"], delta: 1e-3) == 0)
    }

    @Test func convSpliceOfSeveralFiltersAtOnce() {
        let conv = ConvLayer(stride: 1, pad: 1)
        let inputs: LayerInputs = [
            "x": Self.random([2, 2, 5, 5], seed: 4), "w": Self.random([3, 2, 3, 3], seed: 5), "b": Self.random([3], seed: 6),
        ]
        var displaced = inputs
        let entries = [3, 20, 40]  // filters 0, 1 and 2
        for i in entries { displaced["w"]!.values[i] += 0.5 }
        let fast = conv.forward(
            displaced, displacing: "w", entries: entries, by: entries.map { displaced["w"]!.values[$0] - inputs["w"]!.values[$0] },
            from: conv.forward(inputs))
        #expect(fast.outputs[0] == conv.forward(displaced)[0])
        #expect(fast.changed == Array(0..<150))  // every filter's 25 outputs, both examples
    }

    @Test func affineColumnAndRowUpdatesMatchTheForward() {
        let affine = AffineLayer()
        let inputs: LayerInputs = [
            "x": Self.random([4, 2, 3], seed: 7), "w": Self.random([6, 5], seed: 8), "b": Self.random([5], seed: 9),
        ]
        #expect(Self.largestGap(affine, inputs, names: ["w", "b", "x"], delta: 1e-7) < 1e-12)
        #expect(Self.largestGap(affine, inputs, names: ["w", "b", "x"], delta: -0.25) < 1e-12)
    }

    @Test func reluAndMaxPoolRedoOnlyTheDisplacedEntriesAndWindows() {
        let x: LayerInputs = ["x": Self.random([2, 2, 5, 7], seed: 21)]
        #expect(Self.largestGap(ElementwiseLayer(.relu), x, names: ["x"], delta: 0.7) == 0)
        #expect(Self.largestGap(ElementwiseLayer(.tanh), x, names: ["x"], delta: -0.3) == 0)
        // Non-overlapping, overlapping, and floored (dlai) windows that leave a row and column unread.
        #expect(Self.largestGap(MaxPoolLayer(poolHeight: 2, poolWidth: 2, stride: 2, floorsOutput: true), x, names: ["x"], delta: 2) == 0)
        #expect(Self.largestGap(MaxPoolLayer(poolHeight: 3, poolWidth: 2, stride: 1), x, names: ["x"], delta: 2) == 0)
        #expect(Self.largestGap(MaxPoolLayer(poolHeight: 2, poolWidth: 3, stride: 2, floorsOutput: true), x, names: ["x"], delta: -2) == 0)
    }

    static let network = LayerNetwork(
        layers: [
            NetworkLayer(
                name: "conv1", type: "conv", function: ConvLayer(stride: 1, pad: 1),
                params: ["w": random([3, 2, 3, 3], seed: 11, scale: 0.3), "b": random([3], seed: 12)]),
            NetworkLayer(name: "relu1", type: "relu", function: ElementwiseLayer(.relu), params: [:]),
            NetworkLayer(name: "pool1", type: "max_pool", function: MaxPoolLayer(poolHeight: 2, poolWidth: 2, stride: 2), params: [:]),
            NetworkLayer(
                name: "fc1", type: "affine", function: AffineLayer(),
                params: ["w": random([12, 5], seed: 13, scale: 0.3), "b": random([5], seed: 14)]),
            NetworkLayer(name: "relu2", type: "relu", function: ElementwiseLayer(.relu), params: [:]),
            NetworkLayer(
                name: "fc2", type: "affine", function: AffineLayer(),
                params: ["w": random([5, 4], seed: 15, scale: 0.3), "b": random([4], seed: 16)]),
        ],
        loss: SoftmaxLossLayer(), lossInputs: ["y": Tensor(shape: [3], values: [0, 3, 1])], reg: 0.1,
        x: random([3, 2, 4, 4], seed: 17))

    /// The network check's function evaluated the plain way: the displaced coordinate written into
    /// a copy of the parameters (or of layer k's input) and every layer from k on rerun by `forward`.
    struct PlainObjective: CheckedFunction {
        let fast: NetworkObjective

        var coordinates: [(gradient: String, shape: [Int])] { fast.coordinates }
        func value() -> (f: Double, scale: Double) { fast.value() }
        func tiedGroups(within resolution: Double) -> [[[Int]]] { fast.tiedGroups(within: resolution) }
        var reductionLength: Int { fast.reductionLength }
        func coordinateValue(_ tensor: Int, _ entry: Int) -> Double { fast.coordinateValue(tensor, entry) }

        func makeEvaluator() -> DisplacedValue {
            let fast = fast
            return { tensor, entries, delta in
                let coordinate = fast.order[tensor]
                let network = fast.network
                let k = coordinate.layer
                guard let param = coordinate.param else {
                    var input = fast.cached[k]
                    for i in entries { input.values[i] += delta }
                    return network.loss(from: k, input: input) + network.regularisation
                }
                var layers = network.layers
                var params = layers[k].params
                for i in entries { params[param]!.values[i] += delta }
                layers[k] = NetworkLayer(name: layers[k].name, type: layers[k].type, function: layers[k].function, params: params)
                let displaced = LayerNetwork(
                    layers: layers, loss: network.loss, lossInputs: network.lossInputs, reg: network.reg, x: network.x)
                return displaced.loss(from: k, input: fast.cached[k], overriding: params) + displaced.regularisation
            }
        }
    }

    @Test func networkEvaluationsMatchThePlainPath() {
        let fast = NetworkObjective(network: Self.network, checkedInputs: [1, 2, 3, 4, 5])
        let plain = PlainObjective(fast: fast)
        let (evaluate, reference) = (fast.makeEvaluator(), plain.makeEvaluator())
        var largest = 0.0
        for (t, coordinate) in fast.coordinates.enumerated() {
            for i in 0..<Tensor.count(of: coordinate.shape) {
                for delta in [1e-7, -1e-7, 1e-3] {
                    let (a, b) = (evaluate(t, [i], delta), reference(t, [i], delta))
                    largest = max(largest, abs(a - b) / max(1, abs(b)))
                }
            }
        }
        #expect(largest < 1e-12)
        // Two entries of one tensor moved together (a tied window's joint quotient) and put back.
        #expect(abs(evaluate(0, [0, 30], 1e-3) - reference(0, [0, 30], 1e-3)) < 1e-12)
        #expect(abs(evaluate(0, [0], 0) - fast.value().f) < 1e-12)
    }

    @Test func networkVerdictsMatchThePlainPath() throws {
        let fast = NetworkObjective(network: Self.network, checkedInputs: [1, 2, 3, 4, 5])
        var analytic: [String: Tensor] = [:]
        for (layer, gradients) in Self.network.backward().gradients {
            for (name, tensor) in gradients { analytic["\(layer).\(name)"] = tensor }
        }
        analytic["fc1.dw"]!.values[7] *= 1.5  // one planted wrong entry
        let a = try #require(NumericalCheck.run(fast, analytic: analytic, step: 1e-7, threshold: 1e-7, stop: .none, cores: 2))
        let b = try #require(
            NumericalCheck.run(PlainObjective(fast: fast), analytic: analytic, step: 1e-7, threshold: 1e-7, stop: .none, cores: 2))
        #expect(a.verdicts.map(\.name) == b.verdicts.map(\.name))
        #expect(a.verdicts.map(\.passed) == b.verdicts.map(\.passed))
        #expect(a.verdicts.map(\.inconclusive) == b.verdicts.map(\.inconclusive))
        #expect(a.verdicts.filter { !$0.passed }.map(\.name) == ["fc1.dw"])
        for (x, y) in zip(a.verdicts, b.verdicts) { #expect(Self.gap(x.numeric, y.numeric) < 1e-6, "\(x.name)") }
    }
}
