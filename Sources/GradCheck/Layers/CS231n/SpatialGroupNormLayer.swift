/// CS231n's `spatial_groupnorm_forward`/`spatial_groupnorm_backward`: x (N, C, H, W) with C
/// divisible by G, gamma and beta (1, C, 1, 1); the statistics per example and group of C / G
/// consecutive channels (`x.reshape(N, G, -1)`: m = C / G * H * W entries), then gamma and beta
/// per channel. dx is a layer norm's over each group's entries (derivation in
/// `NormalizationKernel`); dgamma and dbeta sum over axes 0, 2 and 3 (keepdims).
public struct SpatialGroupNormLayer: NormalizationLayer {
    public let groups: Int
    public let eps: Double

    public init(groups: Int, eps: Double = 1e-5) {
        self.groups = groups
        self.eps = eps
    }

    public var groupSizeName: String { "C/G*H*W" }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        let x = inputs["x"]!
        guard x.rank == 4 else { throw LayerError("x", "has shape \(x.shapeDescription); spatial_groupnorm takes x (N, C, H, W)") }
        try checkNotEmpty(x)
        let c = x.shape[1]
        guard c % groups == 0 else {
            throw LayerError(
                "layer.G", "G = \(groups) does not divide the \(c) channels of x \(x.shapeDescription): each group needs C / G channels")
        }
        try checkScaleAndShift(inputs, shape: [1, c, 1, 1], alternative: [c], because: "x \(x.shapeDescription) (one per channel)")
        return [x.shape]
    }

    public func layout(_ x: Tensor) -> NormLayout { .groups(n: x.shape[0], c: x.shape[1], plane: x.shape[2] * x.shape[3], g: groups) }

    public var ownSlips: [LayerSlip] {
        let g = groups
        return [
            kernelSlip(
                .wrongAxis,
                "the groups take every G-th channel (x.reshape(N, C // G, G, H, W)) instead of C / G consecutive channels (x.reshape(N, G, C // G, H, W))",
                changes: ["dx", "dgamma"],
                layout: { x in
                    let c = x.shape[1]
                    return g > 1 && g < c ? .groups(n: x.shape[0], c: c, plane: x.shape[2] * x.shape[3], g: g, strided: true) : nil
                }),
            kernelSlip(
                .wrongAxis, "the statistics are taken over each example's channels all together (G ignored: a layer norm over C, H, W)",
                changes: ["dx", "dgamma"],
                layout: { x in g > 1 ? .groups(n: x.shape[0], c: x.shape[1], plane: x.shape[2] * x.shape[3], g: 1) : nil }),
            kernelSlip(
                .wrongAxis,
                "the statistics are taken per channel (one channel per group: an instance norm) instead of per group of C / G channels",
                changes: ["dx", "dgamma"],
                layout: { x in
                    let c = x.shape[1]
                    return g < c ? .groups(n: x.shape[0], c: c, plane: x.shape[2] * x.shape[3], g: c) : nil
                }),
            gammaFactoredOutSlip(over: "each group's channels") { x in x.shape[1] / g > 1 },
        ]
    }
}
