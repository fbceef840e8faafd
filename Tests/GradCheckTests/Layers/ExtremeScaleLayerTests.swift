import GradCheck
import Testing

/// Gradients near the ends of the double range: an upstream of 1e300 makes gradients of about
/// 1e300, whose squares overflow; an upstream of 1e-300 makes squares that underflow. The
/// verdicts are those at scale 1 (right passes, a factor 2 fails and is named), never a NaN.
@Suite struct ExtremeScaleLayerTests {
    let affine = AffineLayer()
    var inputs: LayerInputs {
        [
            "x": LayerCheckerTests.random([4, 2, 3], seed: 1), "w": LayerCheckerTests.random([6, 6], seed: 2),
            "b": LayerCheckerTests.random([6], seed: 3),
        ]
    }

    func check(upstreamScale: Double, doubling: String?) throws -> LayerCheckReport {
        let upstream = [LayerCheckerTests.random([4, 6], seed: 4, scale: upstreamScale)]
        var gradients = affine.backward(inputs, upstream: upstream)
        if let doubling { gradients[doubling] = 2 * gradients[doubling]! }
        return try LayerChecker.check(
            layer: affine, inputs: inputs, upstream: upstream, gradients: gradients, epsilon: 1e-7, threshold: 1e-7, stop: .none)
    }

    @Test(arguments: [1e300, 1e-300])
    func rightGradientsPassAndADoubledOneFails(scale: Double) throws {
        let right = try check(upstreamScale: scale, doubling: nil)
        #expect(right.passed, "\(right.message)")
        #expect(right.difference.isFinite && right.difference < 1e-7)
        let doubled = try check(upstreamScale: scale, doubling: "dw")
        #expect(!doubled.passed && !doubled.inconclusive, "\(doubled.message)")
        #expect(doubled.failed == ["dw"])
        // |2g - g| / (|2g| + |g|) = 1/3 for dw alone; finite over all three.
        let dw = try #require(doubled.gradients.first { $0.name == "dw" })
        #expect(abs(dw.difference - 1.0 / 3) < 1e-6)
        #expect(doubled.rootCauses.first?.kind == .scaled)
    }
}

/// A gradient that is exactly zero where the function does not move at all (an affine layer's
/// dx at w = 0): on its own scale it is noise, so the right zero is inconclusive (never passed),
/// and the answer says why instead of suggesting a larger step; an entry above the noise fails.
@Suite struct ZeroGradientLayerTests {
    @Test func anExactlyZeroGradientIsInconclusiveAndANonzeroOneFails() throws {
        let affine = AffineLayer()
        let inputs: LayerInputs = [
            "x": LayerCheckerTests.random([3, 4], seed: 1), "w": Tensor(zeros: [4, 2]), "b": LayerCheckerTests.random([2], seed: 3),
        ]
        let upstream = [LayerCheckerTests.random([3, 2], seed: 4)]
        var gradients = affine.backward(inputs, upstream: upstream)
        #expect(gradients["dx"]!.values.allSatisfy { $0 == 0 })
        func check(_ gradients: [String: Tensor]) throws -> LayerCheckReport {
            try LayerChecker.check(
                layer: affine, inputs: inputs, upstream: upstream, gradients: gradients, epsilon: 1e-7, threshold: 1e-7, stop: .none)
        }
        let right = try check(gradients)
        #expect(!right.passed && right.inconclusive, "\(right.message)")
        let dx = try #require(right.gradients.first { $0.name == "dx" })
        #expect(!dx.passed && dx.inconclusive && dx.zeroWithinRounding)
        #expect(right.message.contains("dx is zero to within rounding") && right.message.contains("every other gradient passed"))
        #expect(right.notes.contains { $0.hasPrefix("dx is zero to within rounding") }, "\(right.notes)")
        #expect(right.gradients.filter(\.passed).map(\.name) == ["dw", "db"])
        gradients["dx"]!.values[5] = 1e-3
        let wrong = try check(gradients)
        #expect(!wrong.passed && !wrong.inconclusive)
        #expect(wrong.failed == ["dx"])
    }
}

/// A ReLU of negative inputs: f = sum(dout * relu(x)) is exactly 0 at every step, so the zero
/// quotients carry no rounding and the right zero gradient is a measured zero: it passes.
@Suite struct ExactZeroLayerTests {
    @Test func aDeadReLUsZeroGradientPasses() throws {
        let relu = ElementwiseLayer(.relu)
        let inputs: LayerInputs = ["x": Tensor(shape: [2, 3], values: [-1, -2, -3, -0.5, -4, -1e-3])]
        let upstream = [LayerCheckerTests.random([2, 3], seed: 9)]
        let report = try LayerChecker.check(
            layer: relu, inputs: inputs, upstream: upstream, gradients: ["dx": Tensor(zeros: [2, 3])], epsilon: 1e-7,
            threshold: 1e-7, stop: .none)
        #expect(report.passed && !report.inconclusive, "\(report.message)")
    }
}
