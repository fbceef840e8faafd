import GradCheck
import Testing

/// The layer check's verdicts: right gradients pass, planted slips fail and are named, kinks are
/// subgradient points, and a check that rounding cannot decide is inconclusive.
@Suite struct LayerCheckerTests {
    static func random(_ shape: [Int], seed: UInt64, scale: Double = 1) -> Tensor {
        var generator = SplitMix64(seed: seed)
        return Tensor(shape: shape, values: (0..<Tensor.count(of: shape)).map { _ in scale * generator.nextGaussian() })
    }

    let affine = AffineLayer()
    var inputs: LayerInputs {
        ["x": Self.random([4, 2, 3], seed: 1), "w": Self.random([6, 6], seed: 2), "b": Self.random([6], seed: 3)]
    }
    var upstream: [Tensor] { [Self.random([4, 6], seed: 4)] }

    func check(_ layer: any LayerFunction, _ inputs: LayerInputs, _ upstream: [Tensor], _ gradients: [String: Tensor]?) throws
        -> LayerCheckReport
    {
        try LayerChecker.check(
            layer: layer, inputs: inputs, upstream: upstream, gradients: gradients, epsilon: 1e-7, threshold: 1e-7, stop: .none)
    }

    @Test func ownBackwardPasses() throws {
        let report = try check(affine, inputs, upstream, nil)
        #expect(report.passed, "\(report.message)")
        #expect(report.gradients.map(\.name) == ["dx", "dw", "db"])
        #expect(report.difference < 1e-7)
        #expect(report.rootCauses.isEmpty)
    }

    @Test func transposedProductIsNamed() throws {
        var gradients = affine.backward(inputs, upstream: upstream)
        gradients["dw"] = LayerMath.matmul(upstream[0].values, inputs["x"]!.values, m: 6, k: 4, n: 6, transposeA: true)
            .tensor([6, 6])
        let report = try check(affine, inputs, upstream, gradients)
        #expect(!report.passed)
        #expect(report.failed == ["dw"])
        #expect(report.rootCauses.map(\.kind) == [.transposed])
    }

    @Test func extraOneOverNIsNamed() throws {
        var gradients = affine.backward(inputs, upstream: upstream)
        gradients["db"] = 0.25 * gradients["db"]!
        let report = try check(affine, inputs, upstream, gradients)
        #expect(report.failed == ["db"])
        #expect(report.rootCauses.first?.kind == .scaled)
    }

    @Test func oneWrongEntryIsListed() throws {
        var gradients = affine.backward(inputs, upstream: upstream)
        gradients["dx"]!.values[5] += 0.5
        let report = try check(affine, inputs, upstream, gradients)
        #expect(report.failed == ["dx"])
        let cause = try #require(report.rootCauses.first)
        #expect(cause.kind == .wrongEntries)
        #expect(cause.entries == [inputs["x"]!.index(ofFlat: 5)])
    }

    /// ReLU at exactly 0: any dx between 0 and dout is a subgradient; the course's mask gives 0.
    @Test func reluKinkIsASubgradientPoint() throws {
        let relu = ElementwiseLayer(.relu)
        let x = Tensor(shape: [1, 3], values: [0, 1, -1])
        let dout = Tensor(shape: [1, 3], values: [2, 3, 4])
        let report = try check(relu, ["x": x], [dout], ["dx": Tensor(shape: [1, 3], values: [0, 3, 0])])
        #expect(report.passed, "\(report.message)")
        #expect(report.kinks == 1)
        let outside = try check(relu, ["x": x], [dout], ["dx": Tensor(shape: [1, 3], values: [5, 3, 0])])
        #expect(!outside.passed)
    }

    /// A function whose rounding swamps the step: f of scale 1e12 at h = 1e-7.
    @Test func roundingAsLargeAsTheGradientIsInconclusive() throws {
        let x = Tensor(shape: [1, 2], values: [1e12, 1e12])
        let w = Tensor(shape: [2, 1], values: [1e-9, 1e-9])
        let b = Tensor(shape: [1], values: [0])
        let dout = Tensor(shape: [1, 1], values: [1])
        let layer = AffineLayer()
        let right = layer.backward(["x": x, "w": w, "b": b], upstream: [dout])
        let report = try check(layer, ["x": x, "w": w, "b": b], [dout], ["dx": right["dx"]!])
        #expect(!report.passed)
        #expect(report.inconclusive)
    }

    @Test func wrongShapeNamesTheSlipThatGivesIt() {
        let x = Self.random([2, 2, 3], seed: 9)
        let inputs: LayerInputs = ["x": x, "w": Self.random([6, 4], seed: 10), "b": Self.random([4], seed: 11)]
        let dout = Self.random([2, 4], seed: 12)
        let flat = affine.backward(inputs, upstream: [dout])["dx"]!.reshaped([2, 6])
        #expect(throws: LayerError.self) {
            try LayerChecker.validate(["dx": flat], layer: affine, type: "affine", inputs: inputs, upstream: [dout], prefix: "gradients.")
        }
        do {
            try LayerChecker.validate(["dx": flat], layer: affine, type: "affine", inputs: inputs, upstream: [dout], prefix: "gradients.")
        } catch {
            #expect(error.field == "gradients.dx")
            #expect(error.message.contains("not reshaped"))
        }
    }
}

extension Array where Element == Double {
    func tensor(_ shape: [Int]) -> Tensor { Tensor(shape: shape, values: self) }
}

/// A backward run in float32 is judged against float32's rounding when the caller says so.
@Suite struct LayerPrecisionTests {
    /// affine's backward in float32, from the math: dw = x.T @ dout, accumulated in Float.
    static func float32Backward(x: Tensor, dout: Tensor, d: Int, m: Int) -> Tensor {
        let n = x.shape[0]
        var dw = [Float](repeating: 0, count: d * m)
        for i in 0..<n {
            for p in 0..<d {
                for j in 0..<m { dw[p * m + j] += Float(x.values[i * d + p]) * Float(dout.values[i * m + j]) }
            }
        }
        return Tensor(shape: [d, m], values: dw.map(Double.init))
    }

    @Test func anHonestFloat32BackwardPassesAsFloat32AndAWrongOneFails() throws {
        let (n, d, m) = (2048, 16, 4)
        let x = LayerCheckerTests.random([n, d], seed: 21, scale: 3)
        let w = LayerCheckerTests.random([d, m], seed: 22)
        let b = LayerCheckerTests.random([m], seed: 23)
        let dout = LayerCheckerTests.random([n, m], seed: 24, scale: 3)
        let inputs: LayerInputs = ["x": x, "w": w, "b": b]
        let dw = Self.float32Backward(x: x, dout: dout, d: d, m: m)
        func check(_ gradient: Tensor, _ precision: Precision) throws -> LayerCheckReport {
            try LayerChecker.check(
                layer: AffineLayer(), inputs: inputs, upstream: [dout], gradients: ["dw": gradient], epsilon: 1e-3, threshold: 1e-7,
                precision: precision, stop: .none)
        }
        let asFloat32 = try check(dw, .float32)
        #expect(asFloat32.passed, "\(asFloat32.message)")
        // The same numbers judged as float64 are beyond its rounding (f is linear in w, so a long
        // step, 1e-3, has no truncation error and little rounding: the check is sharp).
        #expect(!(try check(dw, .float64)).passed)
        #expect(!(try check(-1 * dw, .float32)).passed)
        #expect(!(try check(1.001 * dw, .float32)).passed)
    }
}

/// What a check cannot measure is never passed.
@Suite struct LayerUnmeasuredTests {
    /// x + h rounds back to x for an entry of 1e308: nothing moved, so nothing was measured.
    @Test func anEntryTheStepCannotMoveIsInconclusive() throws {
        let report = try LayerChecker.check(
            layer: ElementwiseLayer(.relu), inputs: ["x": Tensor(shape: [1, 2], values: [1e308, 1])],
            upstream: [Tensor(shape: [1, 2], values: [1, 1])], gradients: nil, epsilon: 1e-7, threshold: 1e-7, stop: .none)
        #expect(!report.passed)
        #expect(report.inconclusive)
    }

    /// A network with no parameters has nothing to check: inconclusive, not "a mistake".
    @Test func aNetworkWithNothingToCheckIsInconclusive() throws {
        let network = LayerNetwork(
            layers: [NetworkLayer(name: "relu1", type: "relu", function: ElementwiseLayer(.relu), params: [:])],
            loss: SigmoidLossLayer(), lossInputs: ["y": Tensor(shape: [1, 1], values: [1])], reg: 0,
            x: Tensor(shape: [1, 1], values: [0.5]))
        let report = try LayerNetworkChecker.check(network, gradients: nil, epsilon: 1e-7, threshold: 1e-7, stop: .none)
        #expect(!report.passed)
        #expect(report.inconclusive)
        #expect(report.message.contains("nothing was checked"))
    }
}
