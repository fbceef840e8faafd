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
public struct BatchNormLayer: NormalizationLayer {
    public let eps: Double

    public init(eps: Double = 1e-5) { self.eps = eps }

    public var groupSizeName: String { "N" }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        let x = inputs["x"]!
        guard x.rank == 2 else { throw LayerError("x", "has shape \(x.shapeDescription); batchnorm takes x (N, D)") }
        try checkNotEmpty(x)
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
