/// CS231n's `spatial_batchnorm_forward`/`spatial_batchnorm_backward`: x (N, C, H, W), gamma (C),
/// beta (C); batch norm per channel, over N, H and W together (m = N * H * W entries per channel),
/// which the course writes as `batchnorm` on `x.transpose(0, 2, 3, 1).reshape(-1, C)` with the
/// result transposed back. dx is batch norm's with m for N (derivation in `NormalizationKernel`);
/// dgamma and dbeta sum over axes 0, 2 and 3.
public struct SpatialBatchNormLayer: NormalizationLayer {
    public let eps: Double

    public init(eps: Double = 1e-5) { self.eps = eps }

    public var groupSizeName: String { "N*H*W" }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        let x = inputs["x"]!
        guard x.rank == 4 else { throw LayerError("x", "has shape \(x.shapeDescription); spatial_batchnorm takes x (N, C, H, W)") }
        try checkNotEmpty(x)
        let c = x.shape[1]
        try checkScaleAndShift(inputs, shape: [c], alternative: [1, c, 1, 1], because: "x \(x.shapeDescription) (one per channel)")
        return [x.shape]
    }

    public func layout(_ x: Tensor) -> NormLayout { .channels(n: x.shape[0], c: x.shape[1], plane: x.shape[2] * x.shape[3]) }

    public var ownSlips: [LayerSlip] {
        [
            kernelSlip(
                .wrongAxis,
                "x is reshaped to (N*H*W, C) without moving C last first (x.reshape(-1, C) instead of x.transpose(0, 2, 3, 1).reshape(-1, C)): the statistics, dgamma and dbeta group the wrong entries",
                changes: ["dx", "dgamma", "dbeta"],
                layout: { x in
                    let (c, plane) = (x.shape[1], x.shape[2] * x.shape[3])
                    return c > 1 && plane > 1 ? .columns(rows: x.count / c, columns: c) : nil
                }),
            kernelSlip(
                .wrongAxis,
                "x is reshaped to (N, C*H*W) (x.reshape(N, -1)): the statistics are per pixel over the batch only, instead of per channel over N, H and W",
                changes: ["dx", "dgamma"],
                layout: { x in
                    let (n, c, plane) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
                    guard plane > 1 else { return nil }
                    var layout = NormLayout.columns(rows: n, columns: c * plane)
                    layout.channelStride = plane
                    layout.channelCount = c
                    return layout
                }),
            LayerSlip(
                .wrongAxis,
                "dx is reshaped back to (N, C, H, W) without the inverse transpose: it is the (N, H, W, C) gradient's values read as (N, C, H, W)"
            ) { inputs, upstream in
                let x = inputs["x"]!
                guard x.shape[1] > 1, x.shape[2] * x.shape[3] > 1 else { return nil }
                let dx = backward(inputs, upstream: upstream)["dx"]!
                return ["dx": Tensor(shape: x.shape, values: dx.transposed([0, 2, 3, 1]).values)]
            },
        ]
    }
}
