/// CS231n's `batchnorm_forward`/`batchnorm_backward` in train mode (batch statistics): x (N, D),
/// gamma (D), beta (D); per feature d, over the batch,
///
///     mu = x.mean(axis=0), var = ((x - mu)**2).mean(axis=0), xhat = (x - mu) / sqrt(var + eps),
///     out = gamma * xhat + beta.
///
/// Backward (derived term by term in `NormalizationKernel`): dbeta = dout.sum(axis=0), dgamma =
/// (dout * xhat).sum(axis=0), and with dxhat = dout * gamma,
///
///     dx = dxhat / std                                    direct
///        - dxhat.sum(axis=0) / (N * std)                  through the mean
///        - (x - mu) * (dxhat * (x - mu)).sum(axis=0) / (N * std**3)   through the variance.
///
/// An all-ones upstream makes dx exactly zero (both sums cancel the direct term), which hides
/// every slip of dx: the checks draw a random upstream.
///
/// `ddof` 1 is makemore's batch norm (`bnvar = 1/(n-1) * (bndiff**2).sum(0)`, torch's unbiased
/// `var()`): var divides by N - 1, so its derivative does too (the term through the variance
/// divides by N - 1; the mean's still by N).
public struct BatchNormLayer: NormalizationLayer {
    public let eps: Double
    public let ddof: Int

    public init(eps: Double = 1e-5, ddof: Int = 0) {
        self.eps = eps
        self.ddof = ddof
    }

    public var groupSizeName: String { "N" }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        let x = inputs["x"]!
        guard x.rank == 2 else { throw LayerError("x", "has shape \(x.shapeDescription); batchnorm takes x (N, D)") }
        try checkNotEmpty(x)
        guard ddof == 0 || x.shape[0] >= 2 else {
            throw LayerError("x", "has shape \(x.shapeDescription): with ddof 1 the variance divides by N - 1, so N must be at least 2")
        }
        let d = x.shape[1]
        try checkScaleAndShift(inputs, shape: [d], alternative: [1, d], because: "x \(x.shapeDescription) (one per feature)")
        return [x.shape]
    }

    public func layout(_ x: Tensor) -> NormLayout { .columns(rows: x.shape[0], columns: x.shape[1]) }

    public var ownSlips: [LayerSlip] {
        [
            kernelSlip(
                .wrongAxis, "the mean and variance are taken over axis 1 (per example: a layer norm) instead of over the batch, axis 0",
                changes: ["dx", "dgamma"], layout: { x in x.shape[1] > 1 ? .rows(rows: x.shape[0], columns: x.shape[1]) : nil })
        ] + rowSumSlips
    }
}
