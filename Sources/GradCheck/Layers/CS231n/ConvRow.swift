/// One output row of a convolution, out[n, f, oh, :], computed with its sums in registers: the
/// forward's inner kernel (`ConvGeometry.forward`). Every output is b[f] plus the products
/// w[f, c, i, j] xp[n, c, oh s + i, ow s + j] added in (c, i, j) order, whichever path computes it,
/// so the blocks and the scalar tail agree to the last bit.
struct ConvRow {
    /// xp[n, 0, oh s, 0]: the top-left of the windows of this row in the first channel.
    let x: UnsafePointer<Double>
    /// w[f, 0, 0, 0].
    let w: UnsafePointer<Double>
    let bias: Double
    let geometry: ConvGeometry

    func compute(into out: UnsafeMutablePointer<Double>) {
        if geometry.stride == 1 { compute(into: out, Contiguous()) } else { compute(into: out, Strided(stride: geometry.stride)) }
    }

    /// Specialised per loader, so stride 1 reads four neighbours with one unaligned load.
    private func compute<Loader: QuadLoader>(into out: UnsafeMutablePointer<Double>, _ loader: Loader) {
        let g = geometry
        let (s, planeIn) = (g.stride, g.hp * g.wp)
        var ow = 0
        while ow + 16 <= g.wo {
            var a0 = SIMD4<Double>(repeating: bias)
            var (a1, a2, a3) = (a0, a0, a0)
            for channel in 0..<g.c {
                for i in 0..<g.hh {
                    let xRow = x + channel * planeIn + i * g.wp + ow * s
                    let wRow = w + (channel * g.hh + i) * g.ww
                    for j in 0..<g.ww {
                        let weight = SIMD4<Double>(repeating: wRow[j])
                        let p = xRow + j
                        a0 += weight * loader.load(p)
                        a1 += weight * loader.load(p + 4 * s)
                        a2 += weight * loader.load(p + 8 * s)
                        a3 += weight * loader.load(p + 12 * s)
                    }
                }
            }
            UnsafeMutableRawPointer(out + ow).storeBytes(of: a0, as: SIMD4<Double>.self)
            UnsafeMutableRawPointer(out + ow + 4).storeBytes(of: a1, as: SIMD4<Double>.self)
            UnsafeMutableRawPointer(out + ow + 8).storeBytes(of: a2, as: SIMD4<Double>.self)
            UnsafeMutableRawPointer(out + ow + 12).storeBytes(of: a3, as: SIMD4<Double>.self)
            ow += 16
        }
        while ow + 4 <= g.wo {
            var a = SIMD4<Double>(repeating: bias)
            for channel in 0..<g.c {
                for i in 0..<g.hh {
                    let xRow = x + channel * planeIn + i * g.wp + ow * s
                    let wRow = w + (channel * g.hh + i) * g.ww
                    for j in 0..<g.ww { a += SIMD4<Double>(repeating: wRow[j]) * loader.load(xRow + j) }
                }
            }
            UnsafeMutableRawPointer(out + ow).storeBytes(of: a, as: SIMD4<Double>.self)
            ow += 4
        }
        while ow < g.wo {
            var a = bias
            for channel in 0..<g.c {
                for i in 0..<g.hh {
                    let xRow = x + channel * planeIn + i * g.wp + ow * s
                    let wRow = w + (channel * g.hh + i) * g.ww
                    for j in 0..<g.ww { a += wRow[j] * xRow[j] }
                }
            }
            out[ow] = a
            ow += 1
        }
    }
}

/// Four entries of a row of xp for four neighbouring outputs.
protocol QuadLoader {
    func load(_ p: UnsafePointer<Double>) -> SIMD4<Double>
}

/// Stride 1: the four entries are neighbours.
struct Contiguous: QuadLoader {
    @inline(__always) func load(_ p: UnsafePointer<Double>) -> SIMD4<Double> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Double>.self)
    }
}

/// Stride s: the four entries are s apart.
struct Strided: QuadLoader {
    let stride: Int
    @inline(__always) func load(_ p: UnsafePointer<Double>) -> SIMD4<Double> {
        SIMD4(p[0], p[stride], p[2 * stride], p[3 * stride])
    }
}
