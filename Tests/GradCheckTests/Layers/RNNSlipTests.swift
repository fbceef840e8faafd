import GradCheck
import TestSupport
import Testing

/// The recurrent layers (rnn_step, rnn, lstm_step, lstm and their dlai adapters): each backward
/// agrees with central differences computed here, and each slip's replay is distinguishable from
/// the right backward and equals the numpy generator's own slipped backward
/// (Tests/Fixtures/layer-slips, dev/layer-references/rnn.py). Named with "Layer" so `--filter Layer` runs it.
@Suite struct RNNLayerSlipTests {
    static let layers = ["rnn_step", "rnn", "lstm_step", "lstm", "dlai_rnn_cell", "dlai_rnn", "dlai_lstm_cell", "dlai_lstm"]

    /// f = sum_k <upstream_k, forward_k>.
    static func objective(_ layer: any LayerFunction, _ inputs: LayerInputs, _ upstream: [Tensor]) -> Double {
        zip(layer.forward(inputs), upstream).reduce(0) { total, pair in
            total + zip(pair.0.values, pair.1.values).reduce(0) { $0 + $1.0 * $1.1 }
        }
    }

    /// Central differences of `objective` at step 1e-6, every real input entry.
    static func numericGradients(_ layer: any LayerFunction, _ inputs: LayerInputs, _ upstream: [Tensor]) -> [String: Tensor] {
        var gradients: [String: Tensor] = [:]
        for (gradient, input) in layer.gradientInputs where !layer.integerInputs.contains(input) {
            var perturbed = inputs
            var estimate = Tensor(zeros: inputs[input]!.shape)
            for k in 0..<estimate.count {
                let original = inputs[input]!.values[k]
                perturbed[input]!.values[k] = original + 1e-6
                let plus = objective(layer, perturbed, upstream)
                perturbed[input]!.values[k] = original - 1e-6
                let minus = objective(layer, perturbed, upstream)
                perturbed[input]!.values[k] = original
                estimate.values[k] = (plus - minus) / 2e-6
            }
            gradients[gradient] = estimate
        }
        return gradients
    }

    /// max |a - b| over the larger of the two tensors' largest entries (1e-8 at least).
    static func relativeError(_ a: Tensor, _ b: Tensor) -> Double {
        let scale = max(a.values.map(abs).max() ?? 0, b.values.map(abs).max() ?? 0, 1e-8)
        return (zip(a.values, b.values).map { abs($0 - $1) }.max() ?? 0) / scale
    }

    @Test(arguments: layers)
    func backwardAgreesWithCentralDifferences(_ name: String) throws {
        let reference = try LayerReference.load(name)
        let layer = try reference.layer()
        let upstream = reference.orderedUpstream(layer)
        let analytic = layer.backward(reference.inputs, upstream: upstream)
        let numeric = Self.numericGradients(layer, reference.inputs, upstream)
        #expect(Set(numeric.keys) == Set(analytic.keys))
        for (gradient, estimate) in numeric {
            let error = Self.relativeError(try #require(analytic[gradient]), estimate)
            #expect(error < 1e-6, "\(name).\(gradient): relative error \(error)")
        }
    }

    @Test(arguments: layers)
    func everySlipIsDistinguishableAndShaped(_ name: String) throws {
        let reference = try LayerReference.load(name)
        let layer = try reference.layer()
        let upstream = reference.orderedUpstream(layer)
        let right = layer.backward(reference.inputs, upstream: upstream)
        #expect(!layer.slips.isEmpty)
        for slip in layer.slips {
            let replay = try #require(slip.replay(reference.inputs, upstream), "\(name): \(slip.message) gave nil")
            #expect(!replay.isEmpty)
            var differs = false
            for (gradient, value) in replay {
                let expected = try #require(right[gradient], "\(name): \(slip.message) returns unknown \(gradient)")
                #expect(value.shape == expected.shape, "\(name).\(gradient): \(slip.message)")
                if value.shape == expected.shape, Self.relativeError(value, expected) > 1e-6 { differs = true }
            }
            #expect(differs, "\(name): \(slip.message) does not change any gradient")
        }
    }

    /// Every slip the numpy generator planted has a Swift replay of its kind giving the same
    /// gradients, and every Swift replay is one of the numpy slips.
    @Test(arguments: layers)
    func slipsEqualNumpySlippedBackward(_ name: String) throws {
        let reference = try LayerReference.load(name)
        let layer = try reference.layer()
        let upstream = reference.orderedUpstream(layer)
        let planted = try Fixtures.json("layer-slips/\(name).json")["slips"] as! [[String: Any]]
        let numpy = planted.map { entry in
            (kind: entry["kind"] as! String, gradients: (entry["gradients"] as! [String: Any]).mapValues(LayerReference.tensor))
        }
        let replays = layer.slips.map { (kind: $0.kind.rawValue, message: $0.message, gradients: $0.replay(reference.inputs, upstream)) }
        func same(_ a: [String: Tensor]?, _ b: [String: Tensor]) -> Bool {
            guard let a, Set(a.keys) == Set(b.keys) else { return false }
            return b.allSatisfy { key, value in a[key]!.shape == value.shape && relativeDifference(a[key]!, value) <= 1e-10 }
        }
        for (index, entry) in numpy.enumerated() {
            #expect(
                replays.contains { $0.kind == entry.kind && same($0.gradients, entry.gradients) },
                "\(name): numpy slip \(index) (\(entry.kind)) has no Swift replay")
        }
        for replay in replays {
            #expect(
                numpy.contains { $0.kind == replay.kind && same(replay.gradients, $0.gradients) },
                "\(name): \(replay.message) matches no numpy slip")
        }
    }

    @Test func shapeErrorsNameTheArgumentAndBothShapes() throws {
        var inputs = try LayerReference.load("rnn").inputs
        inputs["Wh"] = Tensor(zeros: [5, 4])
        #expect(throws: LayerError.shapes("Wh", [5, 4], expected: [5, 5], because: "Wx (3, 5)")) {
            try RNNLayer().outputShapes(inputs)
        }
        var step = try LayerReference.load("rnn_step").inputs
        step["prev_h"] = Tensor(zeros: [2, 5])
        #expect(throws: LayerError.self) { try RNNStepLayer().outputShapes(step) }
    }

    /// An adapter prices what the CS231n layer it wraps does on the same arrays.
    @Test func dlaiAdaptersPriceLikeTheirCS231nLayers() {
        let (nx, m, steps, na) = (3, 2, 4, 5)
        let dlaiRNN: LayerInputs = [
            "x": Tensor(zeros: [nx, m, steps]), "a0": Tensor(zeros: [na, m]), "Wax": Tensor(zeros: [na, nx]),
            "Waa": Tensor(zeros: [na, na]), "ba": Tensor(zeros: [na, 1]),
        ]
        let rnn: LayerInputs = [
            "x": Tensor(zeros: [m, steps, nx]), "h0": Tensor(zeros: [m, na]), "Wx": Tensor(zeros: [nx, na]), "Wh": Tensor(zeros: [na, na]),
            "b": Tensor(zeros: [na]),
        ]
        #expect(DLAIRNNLayer().forwardOperations(dlaiRNN) == RNNLayer().forwardOperations(rnn))
        var dlaiLSTM: LayerInputs = ["x": Tensor(zeros: [nx, m, steps]), "a0": Tensor(zeros: [na, m])]
        for gate in ["f", "i", "c", "o"] {
            dlaiLSTM["W" + gate] = Tensor(zeros: [na, na + nx])
            dlaiLSTM["b" + gate] = Tensor(zeros: [na, 1])
        }
        let lstm: LayerInputs = [
            "x": Tensor(zeros: [m, steps, nx]), "h0": Tensor(zeros: [m, na]), "Wx": Tensor(zeros: [nx, 4 * na]),
            "Wh": Tensor(zeros: [na, 4 * na]), "b": Tensor(zeros: [4 * na]),
        ]
        #expect(DLAILSTMLayer().forwardOperations(dlaiLSTM) == LSTMLayer().forwardOperations(lstm))
        #expect(LSTMLayer().forwardOperations(lstm) > RNNLayer().forwardOperations(rnn))
    }

    @Test func dlaiShapeErrorsNameTheArgument() throws {
        var cell = try LayerReference.load("dlai_lstm_cell").inputs
        cell["Wc"] = Tensor(zeros: [3, 5])
        #expect(throws: LayerError.shapes("Wc", [3, 5], expected: [3, 6], because: "xt (3, 4) and a_prev (3, 4)")) {
            try DLAILSTMCellLayer().outputShapes(cell)
        }
        var rnn = try LayerReference.load("dlai_rnn").inputs
        rnn["ba"] = Tensor(zeros: [5])
        #expect(throws: LayerError.shapes("ba", [5], expected: [5, 1], because: "Wax (5, 3)")) { try DLAIRNNLayer().outputShapes(rnn) }
    }

    @Test func slipsThatNeedSeveralStepsAreNilAtOneStep() throws {
        var inputs = try LayerReference.load("rnn").inputs
        let x = inputs["x"]!
        inputs["x"] = Tensor(shape: [x.shape[0], 1, x.shape[2]], values: Array(x.values.prefix(x.shape[0] * x.shape[2])))
        let upstream = [Tensor(zeros: [x.shape[0], 1, 5])]
        let sequenceOnly = RNNLayer().slips.filter { [.upstreamNotAdded, .overwritten].contains($0.kind) }
        #expect(sequenceOnly.count == 3)
        for slip in sequenceOnly { #expect(slip.replay(inputs, upstream) == nil) }
        let carry = try #require(RNNLayer().slips.last { $0.kind == .transposed })
        #expect(carry.replay(inputs, upstream).map { Array($0.keys) } == ["dh0"])
    }
}
