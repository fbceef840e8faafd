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
