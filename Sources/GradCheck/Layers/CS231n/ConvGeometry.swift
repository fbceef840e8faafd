/// The sizes of one convolution (CS231n's `conv_forward_naive`, NCHW) and its loops over flat
/// row-major arrays: the forward, and the backward with the knobs its slips turn (the step the
/// windows move by, the array dw reads its windows from).
///
/// x (N, C, H, W) padded by `pad` zeros on every side is xp (N, C, Hp, Wp), Hp = H + 2 pad; filter
/// f (C, HH, WW) at output (oh, ow) reads xp[n, :, oh s + i, ow s + j] for i < HH, j < WW, so
/// H' = 1 + (Hp - HH) / s (CS231n refuses a fraction; deeplearning.ai floors it).
struct ConvGeometry: Sendable {
    let n: Int, c: Int, h: Int, w: Int
    let f: Int, hh: Int, ww: Int
    let stride: Int, pad: Int
    let hp: Int, wp: Int, ho: Int, wo: Int

    init(x: [Int], w: [Int], stride: Int, pad: Int) {
        (n, c, h, self.w) = (x[0], x[1], x[2], x[3])
        (f, hh, ww) = (w[0], w[2], w[3])
        (self.stride, self.pad) = (stride, pad)
        hp = h + 2 * pad
        wp = self.w + 2 * pad
        ho = (hp - hh) / stride + 1
        wo = (wp - ww) / stride + 1
    }

    var outputShape: [Int] { [n, f, ho, wo] }
    var paddedShape: [Int] { [n, c, hp, wp] }

    /// x inside a zero (N, C, Hp, Wp) array with its corner at (top, top): `pad` is numpy's
    /// `np.pad`; 0 puts x at the origin (the unpadded input read where the padded one belongs).
    func placed(_ x: [Double], top: Int) -> [Double] {
        if pad == 0 { return x }
        var result = [Double](repeating: 0, count: n * c * hp * wp)
        for plane in 0..<(n * c) {
            for row in 0..<h {
                let source = (plane * h + row) * w
                let target = (plane * hp + row + top) * wp + top
                for col in 0..<w { result[target + col] = x[source + col] }
            }
        }
        return result
    }

    /// The rows [top, top + rows) and columns [left, left + cols) of each plane of a padded
    /// (N, C, Hp, Wp) array, as (N, C, rows, cols).
    func cropped(_ xp: [Double], top: Int, rows: Int, left: Int, cols: Int) -> Tensor {
        var result = [Double](repeating: 0, count: n * c * rows * cols)
        for plane in 0..<(n * c) {
            for row in 0..<rows {
                let source = (plane * hp + row + top) * wp + left
                let target = (plane * rows + row) * cols
                for col in 0..<cols { result[target + col] = xp[source + col] }
            }
        }
        return Tensor(shape: [n, c, rows, cols], values: result)
    }

    /// out[n, f, oh, ow] = b[f] + sum_{c,i,j} w[f, c, i, j] xp[n, c, oh s + i, ow s + j], each
    /// output summed in that order (b, then c, i, j) by `ConvRow`: an output row in blocks of 16
    /// and 4 held in SIMD registers while the filter's weights stream past, then one by one.
    /// `filters` (all by default) gives out[:, filters] only, (N, filters.count, H', W'): what
    /// changes when a weight or bias of one of those filters is perturbed.
    func forward(xp: [Double], w: [Double], b: [Double], filters: Range<Int>? = nil) -> [Double] {
        let filters = filters ?? 0..<f
        let count = filters.count
        var out = [Double](repeating: 0, count: n * count * ho * wo)
        let (planeOut, planeIn, filter) = (ho * wo, hp * wp, c * hh * ww)
        xp.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { w in
                out.withUnsafeMutableBufferPointer { out in
                    for image in 0..<n {
                        for (slot, k) in filters.enumerated() {
                            for oh in 0..<ho {
                                let row = ConvRow(
                                    x: xp.baseAddress! + image * c * planeIn + oh * stride * wp, w: w.baseAddress! + k * filter,
                                    bias: b[k], geometry: self)
                                row.compute(into: out.baseAddress! + (image * count + slot) * planeOut + oh * wo)
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// The backward's two sums over the output: dxp[n, c, oh t + i, ow t + j] += w[f, c, i, j]
    /// dout[n, f, oh, ow] and dw[f, c, i, j] += dout[n, f, oh, ow] source[n, c, oh t + i, ow t + j],
    /// with t = `step` (the stride; 1 replays a backward that ignores it) and `source` xp (or x
    /// at the origin, replaying dw from the unpadded input). dxp has the padded shape.
    func backward(source: [Double], w: [Double], dout: [Double], step: Int) -> (dxp: [Double], dw: [Double]) {
        var dxp = [Double](repeating: 0, count: n * c * hp * wp)
        var dw = [Double](repeating: 0, count: f * c * hh * ww)
        let (planeOut, planeIn, filter) = (ho * wo, hp * wp, c * hh * ww)
        source.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { w in
                dout.withUnsafeBufferPointer { dout in
                    dxp.withUnsafeMutableBufferPointer { dxp in
                        for image in 0..<n {
                            for k in 0..<f {
                                let o = (image * f + k) * planeOut
                                for channel in 0..<c {
                                    let xBase = (image * c + channel) * planeIn
                                    for i in 0..<hh {
                                        for j in 0..<ww {
                                            let index = k * filter + (channel * hh + i) * ww + j
                                            let weight = w[index]
                                            var sum = 0.0
                                            for oh in 0..<ho {
                                                let xRow = xBase + (oh * step + i) * wp + j
                                                let oRow = o + oh * wo
                                                for ow in 0..<wo {
                                                    let d = dout[oRow + ow]
                                                    sum += d * xp[xRow + ow * step]
                                                    dxp[xRow + ow * step] += weight * d
                                                }
                                            }
                                            dw[index] += sum
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dxp, dw)
    }

    /// db[f] = sum over n, oh, ow of dout[n, f, oh, ow] (numpy's `dout.sum(axis=(0, 2, 3))`).
    func biasGradient(_ dout: [Double]) -> [Double] {
        var db = [Double](repeating: 0, count: f)
        let plane = ho * wo
        for image in 0..<n {
            for k in 0..<f {
                let o = (image * f + k) * plane
                for p in 0..<plane { db[k] += dout[o + p] }
            }
        }
        return db
    }
}
