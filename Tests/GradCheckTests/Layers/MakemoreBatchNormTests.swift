import Foundation
import GradCheck
import TestSupport
import Testing

/// Batch norm with `ddof` 1: makemore's manual-backprop batch norm, whose variance divides by
/// n - 1 (`bnvar = 1/(n-1) * (bndiff**2).sum(0)`). Its forward is written here from the
/// definition, its backward is makemore's one-line `dhprebn`, derived by hand:
///
///   xhat = (x - mu) * s,  s = (var + eps)^(-1/2),  var = sum (x - mu)^2 / (n - 1)
///   dx = gamma * s / n * (n * dout - dout.sum(0) - n / (n - 1) * xhat * (dout * xhat).sum(0))
@Suite struct MakemoreBatchNormTests {
    static let (n, d) = (6, 3)
    static let eps = 1e-5

    static func inputs(seed: UInt64) -> (LayerInputs, [Tensor]) {
        var rng = SplitMix64(seed: seed)
        func gaussian(_ shape: [Int], scale: Double = 1, shift: Double = 0) -> Tensor {
            Tensor(shape: shape, values: (0..<Tensor.count(of: shape)).map { _ in shift + scale * rng.nextGaussian() })
        }
        let inputs = ["x": gaussian([n, d], scale: 2, shift: 1), "gamma": gaussian([1, d]), "beta": gaussian([1, d])]
        return (inputs, [gaussian([n, d])])
    }

    /// (xhat, dx, dgamma, dbeta) per makemore's formulas, column by column.
    static func makemore(_ inputs: LayerInputs, _ dout: Tensor) -> (out: [Double], dx: [Double], dgamma: [Double], dbeta: [Double]) {
        let x = inputs["x"]!.values
        let gamma = inputs["gamma"]!.values
        let beta = inputs["beta"]!.values
        var out = [Double](repeating: 0, count: n * d)
        var dx = out
        var dgamma = [Double](repeating: 0, count: d)
        var dbeta = dgamma
        for j in 0..<d {
            let column = (0..<n).map { x[$0 * d + j] }
            let mu = column.reduce(0, +) / Double(n)
            let variance = column.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(n - 1)
            let s = 1 / (variance + eps).squareRoot()
            let xhat = column.map { ($0 - mu) * s }
            let g = (0..<n).map { dout.values[$0 * d + j] }
            dbeta[j] = g.reduce(0, +)
            dgamma[j] = zip(g, xhat).reduce(0) { $0 + $1.0 * $1.1 }
            for i in 0..<n {
                out[i * d + j] = gamma[j] * xhat[i] + beta[j]
                dx[i * d + j] =
                    gamma[j] * s / Double(n)
                    * (Double(n) * g[i] - dbeta[j] - Double(n) / Double(n - 1) * xhat[i] * dgamma[j])
            }
        }
        return (out, dx, dgamma, dbeta)
    }

    static func layer(ddof: Int) throws -> any LayerFunction {
        var reader = HyperReader(["ddof": .number(Double(ddof))], prefix: "layer.")
        return try LayerCatalog.make("batchnorm", convention: .cs231n, hyper: &reader, field: "layer.type")
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func forwardAndBackwardAreMakemores(seed: UInt64) throws {
        let (inputs, upstream) = Self.inputs(seed: seed)
        let layer = try Self.layer(ddof: 1)
        let reference = Self.makemore(inputs, upstream[0])
        #expect(relativeDifference(layer.forward(inputs)[0], Tensor(shape: [Self.n, Self.d], values: reference.out)) < 1e-12)
        let gradients = layer.backward(inputs, upstream: upstream)
        #expect(relativeDifference(gradients["dx"]!, Tensor(shape: [Self.n, Self.d], values: reference.dx)) < 1e-12)
        #expect(relativeDifference(gradients["dgamma"]!, Tensor(shape: [1, Self.d], values: reference.dgamma)) < 1e-12)
        #expect(relativeDifference(gradients["dbeta"]!, Tensor(shape: [1, Self.d], values: reference.dbeta)) < 1e-12)
    }

    @Test func makemoresGradientsPassAndCS231nsAreABesselMismatch() throws {
        let (inputs, upstream) = Self.inputs(seed: 7)
        let reference = Self.makemore(inputs, upstream[0])
        let makemore: [String: Tensor] = [
            "dx": Tensor(shape: [Self.n, Self.d], values: reference.dx),
            "dgamma": Tensor(shape: [1, Self.d], values: reference.dgamma),
            "dbeta": Tensor(shape: [1, Self.d], values: reference.dbeta),
        ]
        let unbiased = try LayerChecker.check(
            layer: try Self.layer(ddof: 1), inputs: inputs, upstream: upstream, gradients: makemore, epsilon: 1e-6, threshold: 1e-7,
            stop: .none)
        #expect(unbiased.passed, "\(unbiased.message)")
        // The same gradients against CS231n's batch norm (ddof 0): a Bessel mismatch, named.
        let biased = try LayerChecker.check(
            layer: try Self.layer(ddof: 0), inputs: inputs, upstream: upstream, gradients: makemore, epsilon: 1e-6, threshold: 1e-7,
            stop: .none)
        #expect(!biased.passed && !biased.inconclusive)
        #expect(biased.rootCauses.contains { $0.kind == .besselMismatch }, "\(biased.rootCauses.map(\.message))")
        // And CS231n's gradients against makemore's batch norm: the mismatch the other way.
        let cs231n = try Self.layer(ddof: 0).backward(inputs, upstream: upstream)
        let flipped = try LayerChecker.check(
            layer: try Self.layer(ddof: 1), inputs: inputs, upstream: upstream, gradients: cs231n, epsilon: 1e-6, threshold: 1e-7,
            stop: .none)
        #expect(!flipped.passed && !flipped.inconclusive)
        #expect(flipped.rootCauses.contains { $0.kind == .besselMismatch }, "\(flipped.rootCauses.map(\.message))")
    }

    @Test func ddofIsZeroOrOneAndNeedsTwoExamples() throws {
        #expect(throws: LayerError.self) { try Self.layer(ddof: 2) }
        let layer = try Self.layer(ddof: 1)
        let one: LayerInputs = [
            "x": Tensor(shape: [1, 2], values: [1, 2]), "gamma": Tensor(shape: [2], values: [1, 1]),
            "beta": Tensor(shape: [2], values: [0, 0]),
        ]
        #expect(throws: LayerError.self) { try layer.outputShapes(one) }
    }
}
