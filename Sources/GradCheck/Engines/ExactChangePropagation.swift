/// The general way to evaluate a perturbed cost: carry the change of one row of Z_l through every
/// later layer with the activations' cancellation-free `change(at:by:)`, over only the examples
/// it reaches. Works for every activation and decides exactly whether a ReLU switched; the fast
/// path in `FastEngine` falls back to it whenever its cheaper argument does not apply.
extension EngineCache {
    /// The change of the logits Z_L (nL x m) when row `row` of Z_layer changes by `delta` (m
    /// values), and whether any ReLU / leaky-ReLU unit changed side on the way. With
    /// `activationMoves`, `delta` is the change of A_layer[row] itself (layer 0 is X): the
    /// diagnosis's dA checks start there.
    func logitChange(layer: Int, row: Int, delta: [Double], activationMoves: Bool = false) -> (change: [Double], crossesKink: Bool) {
        let depth = network.depth
        let act = network.activation
        let kinks = act.hasKinks
        let nL = widths[depth]
        var out = [Double](repeating: 0, count: nL * m)
        if layer == depth {
            for c in 0..<m { out[row * m + c] = delta[c] }
            return (out, false)
        }
        var crossed = false
        // Examples whose A_layer[row] moved: the only columns that change downstream.
        var columns: [Int] = []
        var moved: [Double] = []
        if activationMoves {
            for c in 0..<m where delta[c] != 0 {
                columns.append(c)
                moved.append(delta[c])
            }
        } else {
            let z0 = preActivations[layer - 1]
            let a0 = activations[layer]
            let s0 = slopes[layer - 1]
            for c in 0..<m where delta[c] != 0 {
                let z = z0[row * m + c]
                let d = EngineCache.activationChange(act, z: z, a: a0[row * m + c], slope: s0[row * m + c], by: delta[c])
                if kinks && (z > 0) != (z + delta[c] > 0) { crossed = true }
                if d != 0 {
                    columns.append(c)
                    moved.append(d)
                }
            }
        }
        let k = columns.count
        if k == 0 { return (out, crossed) }
        // dZ_{layer+1} = W_{layer+1}[:, row] * dA (an outer product), on the moved columns only.
        let nNext = widths[layer + 1]
        let wNext = network.layers[layer].weights.values
        var dz = [Double](repeating: 0, count: nNext * k)
        for r in 0..<nNext {
            let w = wNext[r * widths[layer] + row]
            for q in 0..<k { dz[r * k + q] = w * moved[q] }
        }
        var current = layer + 1
        while current < depth {
            let z = preActivations[current - 1]
            let a = activations[current]
            let slope = slopes[current - 1]
            let n = widths[current]
            var da = [Double](repeating: 0, count: n * k)
            z.withUnsafeBufferPointer { z in
                a.withUnsafeBufferPointer { a in
                    slope.withUnsafeBufferPointer { slope in
                        for r in 0..<n {
                            for q in 0..<k {
                                let at = r * m + columns[q]
                                let d = dz[r * k + q]
                                if d == 0 { continue }
                                let zv = z[at]
                                da[r * k + q] = EngineCache.activationChange(act, z: zv, a: a[at], slope: slope[at], by: d)
                                if kinks && (zv > 0) != (zv + d > 0) { crossed = true }
                            }
                        }
                    }
                }
            }
            dz = Kernels.multiply(network.layers[current].weights.values, da, rows: widths[current + 1], inner: n, cols: k)
            current += 1
        }
        for r in 0..<nL { for q in 0..<k { out[r * m + columns[q]] = dz[r * k + q] } }
        return (out, crossed)
    }

    /// Loss(z + d) - Loss(z) for example `c`, d given for each of the nL logits, without
    /// subtracting two losses: softplus(z+d) - softplus(z) = log1p(sigma(z) expm1(d)), and
    /// logsumexp(z+d) - logsumexp(z) = log1p(sum_r p_r expm1(d_r)).
    @inline(__always)
    func exampleLossChange(column c: Int, logitChange d: (Int) -> Double) -> Double {
        let nL = widths[network.depth]
        switch network.output {
        case .sigmoid:
            // y softplus(-z) + (1 - y) softplus(z): each part changes by log1p(s expm1(+-d)) with
            // s the probability it is made of (q = 1 - p for the first), no cancellation when the
            // output is saturated at its label.
            var total = 0.0
            for r in 0..<nL {
                let dr = d(r)
                if dr == 0 { continue }
                let i = r * m + c
                let y = labels[i]
                if y != 0 { total += y * Kernels.log1p(complements[i] * Kernels.expm1(-dr)) }
                if y != 1 { total += (1 - y) * Kernels.log1p(probabilities[i] * Kernels.expm1(dr)) }
            }
            return total
        case .softmax:
            // Shifted by the dominant class k (p_k > 1/2) when there is one, as in
            // `LossExpansion`: d_k leaves the sum exactly, and 1 - p_k is never formed.
            let k = dominantClass[c]
            let dk = k >= 0 ? d(k) : 0
            var inner = 0.0
            var linear = 0.0
            for r in 0..<nL where r != k {
                let dr = d(r) - dk
                if dr == 0 { continue }
                inner += probabilities[r * m + c] * Kernels.expm1(dr)
                linear += labels[r * m + c] * dr
            }
            return labelSums[c] * Kernels.log1p(inner) - linear
        }
    }
}
