/// The arithmetic of batch, layer, spatial batch and group norm over a `NormLayout`, right and
/// with the slips of the normalisation layers' backward passes planted (a `Variant`), so a
/// slip's replay is the same code with one switch turned.
public enum NormalizationKernel {
    /// How the computation departs from the right one (`right`: none).
    public struct Variant: Sendable {
        /// Where eps sits in the forward's 1/std.
        public enum Scale: Sendable {
            /// 1/sqrt(var + eps): right.
            case epsInside
            /// 1/sqrt(var).
            case epsMissing
            /// 1/(sqrt(var) + eps).
            case epsOutside
        }

        /// The backward's d(1/std)/d(var).
        public enum Derivative: Sendable {
            /// -1/2 * (1/std)^3 from the forward's std: right when eps is inside (or missing in
            /// both passes); with eps outside, the compact formula applied to the cached std.
            case fromStd
            /// The exact derivative of 1/(sqrt(var) + eps): -1/(sqrt(var) + eps)^2 / (2 sqrt(var)).
            case epsOutside
            /// -1/2 * var^(-3/2): eps left out of the backward's dvar only.
            case epsMissing
        }

        /// The forward's variance divides by m - 1 (numpy's ddof=1).
        public var forwardBessel = false
        public var scale = Scale.epsInside
        public var derivative = Derivative.fromStd
        /// The backward's variance term divides by m - 1.
        public var backwardBessel = false
        /// The backward's term through the mean divides by m - 1 too (the one-line backward with
        /// every N written N - 1).
        public var meanBessel = false
        /// dx keeps the term through the mean.
        public var meanTerm = true
        /// dx keeps the term through the variance.
        public var varianceTerm = true
        /// A stray factor on the variance term (a dropped 2 or 1/2).
        public var varianceFactor = 1.0
        /// gamma factored out of the sums over a group: dx = gamma * (the backward of dout), right
        /// only where gamma is constant over each group (batch norm).
        public var gammaFactoredOut = false

        public init() {}

        public static let right = Variant()
    }

    /// Per group: the centred entries (group-major, with their offsets in x and channels), the
    /// variance and 1/std.
    struct Statistics {
        let offsets: [Int]
        let channels: [Int]
        let centred: [Double]
        let variance: [Double]
        let inverseStd: [Double]
    }

    /// Mean first, then the centred squares for the variance (numpy's order, so forward and
    /// backward agree with it to rounding).
    static func statistics(_ x: [Double], _ layout: NormLayout, eps: Double, variant: Variant) -> Statistics {
        let (offsets, channels) = layout.indexMaps()
        let m = layout.groupSize
        let divisor = Double(variant.forwardBessel ? m - 1 : m)
        var centred = [Double](repeating: 0, count: offsets.count)
        var variance = [Double](repeating: 0, count: layout.groupCount)
        var inverseStd = [Double](repeating: 0, count: layout.groupCount)
        x.withUnsafeBufferPointer { x in
            offsets.withUnsafeBufferPointer { offsets in
                centred.withUnsafeMutableBufferPointer { centred in
                    for g in 0..<layout.groupCount {
                        let start = g * m
                        var sum = 0.0
                        for p in start..<(start + m) { sum += x[offsets[p]] }
                        let mean = sum / Double(m)
                        var squares = 0.0
                        for p in start..<(start + m) {
                            let c = x[offsets[p]] - mean
                            centred[p] = c
                            squares += c * c
                        }
                        let v = squares / divisor
                        variance[g] = v
                        switch variant.scale {
                        case .epsInside: inverseStd[g] = 1 / (v + eps).squareRoot()
                        case .epsMissing: inverseStd[g] = 1 / v.squareRoot()
                        case .epsOutside: inverseStd[g] = 1 / (v.squareRoot() + eps)
                        }
                    }
                }
            }
        }
        return Statistics(offsets: offsets, channels: channels, centred: centred, variance: variance, inverseStd: inverseStd)
    }

    /// out = gamma * (x - mean) / std + beta, per group and channel.
    public static func forward(
        x: [Double], gamma: [Double], beta: [Double], layout: NormLayout, eps: Double, variant: Variant = .right
    ) -> [Double] {
        let stats = statistics(x, layout, eps: eps, variant: variant)
        let m = layout.groupSize
        var out = [Double](repeating: 0, count: x.count)
        out.withUnsafeMutableBufferPointer { out in
            stats.offsets.withUnsafeBufferPointer { offsets in
                stats.channels.withUnsafeBufferPointer { channels in
                    stats.centred.withUnsafeBufferPointer { centred in
                        gamma.withUnsafeBufferPointer { gamma in
                            beta.withUnsafeBufferPointer { beta in
                                for g in 0..<layout.groupCount {
                                    let s = stats.inverseStd[g]
                                    for p in (g * m)..<((g + 1) * m) {
                                        let channel = channels[p]
                                        out[offsets[p]] = gamma[channel] * (centred[p] * s) + beta[channel]
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// xhat = (x - mean) / std in x's layout (no gamma, no beta): what dgamma multiplies dout by.
    public static func normalized(_ x: [Double], layout: NormLayout, eps: Double, variant: Variant = .right) -> [Double] {
        let stats = statistics(x, layout, eps: eps, variant: variant)
        let m = layout.groupSize
        var xhat = [Double](repeating: 0, count: x.count)
        for g in 0..<layout.groupCount {
            for p in (g * m)..<((g + 1) * m) { xhat[stats.offsets[p]] = stats.centred[p] * stats.inverseStd[g] }
        }
        return xhat
    }

    // Derivation, per group of m entries x_1..x_m (gamma_j and beta_j are the entries' channels'):
    //
    //   mu = (1/m) sum_j x_j,  c_j = x_j - mu,  v = (1/m) sum_j c_j^2,  s = (v + eps)^(-1/2),
    //   xhat_j = c_j s,  out_j = gamma_j xhat_j + beta_j,  f = sum_j dout_j out_j.
    //
    // dbeta[ch] = sum of dout over the entries of channel ch; dgamma[ch] = sum of dout * xhat
    // over them. With g_j = df/dxhat_j = dout_j gamma_j (CS231n's dxhat):
    //
    //   df/dx_i = sum_j g_j dxhat_j/dx_i,  dxhat_j/dx_i = s dc_j/dx_i + c_j (ds/dv) (dv/dx_i)
    //   dc_j/dx_i = [i = j] - 1/m
    //   dv/dx_i   = (2/m) sum_j c_j ([i = j] - 1/m) = (2/m) c_i     (sum_j c_j = 0)
    //   ds/dv     = -1/2 (v + eps)^(-3/2) = -s^3 / 2
    //
    // so df/dx_i = s g_i                                 the direct term
    //            + (1/m) dmu,   dmu  = -s sum_j g_j       the term through the mean
    //            + (2/m) c_i dvar, dvar = -s^3/2 sum_j g_j c_j   the term through the variance
    //            = (s/m) (m g_i - sum_j g_j - xhat_i sum_j g_j xhat_j)   (CS231n's one-liner).
    //
    // With ddof 1 (the unbiased variance, v = (1/(m-1)) sum_j c_j^2) dv/dx_i = (2/(m-1)) c_i: the
    // variance term divides by m - 1 (`backwardBessel`), the mean term still by m.
    //
    // The slips change one piece each: the variance's divisor m -> m - 1 in the forward (v) or in
    // the variance term's 2/m; s and ds/dv with eps missing or outside the square root; the mean or
    // variance term dropped; a stray factor 2 on the variance term; gamma factored out of the sums
    // (g_j = dout_j inside them, dx_i multiplied by gamma_i after); and, in the layout, the groups.
    public static func backward(
        x: [Double], gamma: [Double], dout: [Double], layout: NormLayout, eps: Double, variant: Variant = .right
    ) -> (dx: [Double], dgamma: [Double], dbeta: [Double]) {
        let stats = statistics(x, layout, eps: eps, variant: variant)
        let m = layout.groupSize
        let varianceDivisor = Double(variant.backwardBessel ? m - 1 : m)
        var dx = [Double](repeating: 0, count: x.count)
        var dgamma = [Double](repeating: 0, count: layout.channelCount)
        var dbeta = [Double](repeating: 0, count: layout.channelCount)
        let offsets = stats.offsets
        let channels = stats.channels
        let centred = stats.centred
        for g in 0..<layout.groupCount {
            let s = stats.inverseStd[g]
            let v = stats.variance[g]
            let range = (g * m)..<((g + 1) * m)
            var sumG = 0.0
            var sumGC = 0.0
            for p in range {
                let o = offsets[p]
                let channel = channels[p]
                let gj = variant.gammaFactoredOut ? dout[o] : dout[o] * gamma[channel]
                sumG += gj
                sumGC += gj * centred[p]
                dgamma[channel] += dout[o] * (centred[p] * s)
                dbeta[channel] += dout[o]
            }
            let dsdv: Double
            switch variant.derivative {
            case .fromStd: dsdv = -0.5 * s * s * s
            case .epsOutside:
                let root = v.squareRoot()
                dsdv = -1 / ((root + eps) * (root + eps)) / (2 * root)
            case .epsMissing: dsdv = -0.5 / (v * v.squareRoot())
            }
            let meanShift = variant.meanTerm ? -s * sumG / Double(variant.meanBessel ? m - 1 : m) : 0
            let varianceSlope = variant.varianceTerm ? variant.varianceFactor * 2 * dsdv * sumGC / varianceDivisor : 0
            if variant.gammaFactoredOut {
                for p in range {
                    let o = offsets[p]
                    dx[o] = gamma[channels[p]] * (s * dout[o] + meanShift + varianceSlope * centred[p])
                }
            } else {
                for p in range {
                    let o = offsets[p]
                    dx[o] = s * dout[o] * gamma[channels[p]] + meanShift + varianceSlope * centred[p]
                }
            }
        }
        return (dx, dgamma, dbeta)
    }
}
