/// Average pooling in CS231n's layout: x (N, C, H, W), hyper-parameters `pool_height`,
/// `pool_width`, `stride`; out[n, c, oh, ow] = the mean of the window.
///
/// Derivation: out = (1 / A) sum of the window's A = pool_height * pool_width entries, so each
/// entry of the window receives dout[n, c, oh, ow] / A (windows that overlap add).
public struct AvgPoolLayer: PoolingLayer {
    public let poolHeight: Int
    public let poolWidth: Int
    public let stride: Int
    public let floorsOutput: Bool

    public init(poolHeight: Int, poolWidth: Int, stride: Int, floorsOutput: Bool = false) {
        (self.poolHeight, self.poolWidth, self.stride, self.floorsOutput) = (poolHeight, poolWidth, stride, floorsOutput)
    }

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        let g = geometry(inputs)
        var out = [Double](repeating: 0, count: g.n * g.c * g.ho * g.wo)
        inputs["x"]!.values.withUnsafeBufferPointer { x in
            var o = 0
            for plane in 0..<(g.n * g.c) {
                for oh in 0..<g.ho {
                    for ow in 0..<g.wo {
                        var sum = 0.0
                        for i in 0..<g.ph {
                            let row = (plane * g.h + oh * g.stride + i) * g.w + ow * g.stride
                            for j in 0..<g.pw { sum += x[row + j] }
                        }
                        out[o] = sum / g.area
                        o += 1
                    }
                }
            }
        }
        return [Tensor(shape: g.outputShape, values: out)]
    }

    /// dx[window] += dout * scale for each window (the right scale is 1 / area), the windows
    /// moving by `step` (the right one is the stride).
    func spread(_ inputs: LayerInputs, _ upstream: [Tensor], scale: Double, step: Int? = nil) -> Tensor {
        let x = inputs["x"]!
        let dout = upstream[0].values
        var dx = [Double](repeating: 0, count: x.count)
        geometry(inputs).moving(by: step ?? stride).forEachWindow { window, out in
            let share = dout[out] * scale
            for index in window { dx[index] += share }
        }
        return Tensor(shape: x.shape, values: dx)
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        ["dx": spread(inputs, upstream, scale: 1 / geometry(inputs).area)]
    }

    public func forwardOperations(_ inputs: LayerInputs) -> Double {
        let g = geometry(inputs)
        return Double(g.n * g.c * g.ho * g.wo) * (g.area + 1)
    }

    public var slips: [LayerSlip] {
        [
            LayerSlip(.scaled, "dx is not divided by the window's area (pool_height * pool_width): each entry gets the whole dout") {
                inputs, upstream in
                geometry(inputs).area == 1 ? nil : ["dx": spread(inputs, upstream, scale: 1)]
            },
            LayerSlip(.scaled, "dx is divided by the window's area twice (dout / area^2)") { inputs, upstream in
                let area = geometry(inputs).area
                return area == 1 ? nil : ["dx": spread(inputs, upstream, scale: 1 / (area * area))]
            },
            LayerSlip(.overwritten, "dx assigns each window's share (dx[window] = dout / area) where overlapping windows must add (+=)") {
                inputs, upstream in
                let g = geometry(inputs)
                guard g.overlaps else { return nil }
                let x = inputs["x"]!
                let dout = upstream[0].values
                var dx = [Double](repeating: 0, count: x.count)
                g.forEachWindow { window, out in
                    for index in window { dx[index] = dout[out] / g.area }
                }
                return ["dx": Tensor(shape: x.shape, values: dx)]
            },
            LayerSlip(.strideIgnored, "dx ignores the stride: the backward's windows move by 1 where the forward's moved by stride") {
                inputs, upstream in
                stride == 1 ? nil : ["dx": spread(inputs, upstream, scale: 1 / geometry(inputs).area, step: 1)]
            },
        ]
    }
}
