/// CS231n's `layernorm_forward`/`layernorm_backward`: x (N, D), gamma (D), beta (D); batch norm's
/// arithmetic with the statistics per example, over the features (axis 1),
///
///     mu = x.mean(axis=1, keepdims=True), var = ((x - mu)**2).mean(axis=1, keepdims=True),
///     out = gamma * (x - mu) / sqrt(var + eps) + beta,
///
/// so dx is batch norm's with the sums over axis 1 and D in place of N (derivation in
/// `NormalizationKernel`), while dgamma = (dout * xhat).sum(axis=0) and dbeta = dout.sum(axis=0)
/// still sum over the batch: gamma and beta are per feature.
public struct LayerNormLayer: NormalizationLayer {
    public let eps: Double

    public init(eps: Double = 1e-5) { self.eps = eps }

    public var groupSizeName: String { "D" }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        let x = inputs["x"]!
        guard x.rank == 2 else { throw LayerError("x", "has shape \(x.shapeDescription); layernorm takes x (N, D)") }
        try checkNotEmpty(x)
        let d = x.shape[1]
        try checkScaleAndShift(inputs, shape: [d], alternative: [1, d], because: "x \(x.shapeDescription) (one per feature)")
        return [x.shape]
    }

    public func layout(_ x: Tensor) -> NormLayout { .rows(rows: x.shape[0], columns: x.shape[1]) }

    public var ownSlips: [LayerSlip] {
        [
            kernelSlip(
                .wrongAxis, "the mean and variance are taken over axis 0 (over the batch: a batch norm) instead of per example, axis 1",
                changes: ["dx", "dgamma"], layout: { x in x.shape[0] > 1 ? .columns(rows: x.shape[0], columns: x.shape[1]) : nil }),
            gammaFactoredOutSlip(over: "each example's features") { x in x.shape[1] > 1 },
        ] + rowSumSlips
    }
}
