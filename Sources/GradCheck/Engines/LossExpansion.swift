import Dispatch
import Foundation
import Synchronization

/// For hidden unit i of layer l < L and each example c, the loss of example c as a function of a
/// change d of A_l[i, c] alone (every other quantity of layers <= l held at the check point):
///   phi_c(d) = Loss_c(Z_L + change caused by d) - Loss_c(Z_L).
/// Perturbing W_l[i, j] or b_l[i] moves exactly these A_l[i, c], so one expansion serves the
/// whole row i of W_l and b_l (`FastEngine+TaylorCentral` evaluates it).
///
/// How the coefficients are computed: the change is a series in d with no constant term. At
/// layer l+1, dZ_{l+1}[k, c] = W_{l+1}[k, i] d exactly (order 1 only). Each smooth activation
/// maps a series p to f(z + p) - f(z) = sum_k f^(k)(z)/k! p^k (`TaylorJet.compose`), each
/// product W_{q+1} acts on every order separately (it is linear), and the loss maps the logit
/// series the same way: softplus for the sigmoid output, log1p(sum_r p_r expm1(d_r)) for
/// softmax, minus the label's linear term. One propagation is a forward pass of 4 orders for all
/// m examples, restricted to what unit i reaches: about 4 times one coordinate's exact cost.
struct LossExpansion: Sendable {
    /// Taylor coefficients of phi_c, orders 1 ... 4, for each example c.
    let coefficients: [Jet]
    /// For each example, an estimate r_c of how fast the coefficients grow (|a_k| ~ A_c r^(k-1));
    /// the series is used only where r_c |d| is tiny (see `FastEngine+TaylorCentral`).
    let growthRates: [Double]

    /// Multiplies the growth seen in orders 2 ... 4 before it is trusted for the tail.
    static let growthSafetyFactor = 4.0

    /// The growth is measured against A_c = max(|a_1,c|, max_c' |a_1,c'| / m) rather than |a_1,c|
    /// alone: an example whose first-order effect happens to cancel (|a_1,c| tiny) would otherwise
    /// send every coordinate of the row the exact way, although its loss change is negligible in
    /// the sum. The remainder is then bounded relative to A_c |d_c|, and summed over the m
    /// examples stays below the sum's own rounding scale, sum_c |a_1,c d_c| + max_c |a_1,c| |d|.
    init(coefficients: [Jet]) {
        self.coefficients = coefficients
        let largest = coefficients.reduce(0.0) { max($0, abs($1.x)) }
        let floor = largest / Double(max(coefficients.count, 1))
        growthRates = coefficients.map { j in
            let scale = max(abs(j.x), floor)
            if scale == 0 { return j == .zero ? 0 : .infinity }
            let rate = max(abs(j.y) / scale, (abs(j.z) / scale).squareRoot(), cbrt(abs(j.w) / scale))
            return LossExpansion.growthSafetyFactor * rate
        }
    }
}

extension EngineCache {
    /// The expansion of unit `row` of hidden layer `layer` (1 ... L-1), or nil when `stop` fired
    /// (polled once per layer, so a deep network's propagation stays interruptible).
    func lossExpansion(layer l: Int, row i: Int, stop: StopSignal) -> LossExpansion? {
        let depth = network.depth
        let act = network.activation
        let stride = 4 * m  // a jet matrix holds the 4 orders of example c at [k * stride + 4 c ...]
        // dZ_{l+1}: order 1 is W_{l+1}[k, i] for every example, higher orders are 0.
        var n = widths[l + 1]
        var dz = [Double](repeating: 0, count: n * stride)
        let wNext = network.layers[l].weights.values
        for k in 0..<n {
            let w = wNext[k * widths[l] + i]
            for c in 0..<m { dz[k * stride + 4 * c] = w }
        }
        var current = l + 1
        while current < depth {
            if stop.shouldStop() { return nil }
            // dA_current = f(Z_current + dZ) - f(Z_current), order by order, then the next product.
            let a = activations[current]
            let slope = slopes[current - 1]
            var da = [Double](repeating: 0, count: n * stride)
            dz.withUnsafeBufferPointer { dzp in
                da.withUnsafeMutableBufferPointer { dap in
                    for idx in 0..<(n * m) {
                        let b = 4 * idx
                        let p = Jet(dzp[b], dzp[b + 1], dzp[b + 2], dzp[b + 3])
                        if p == .zero { continue }
                        let g = TaylorJet.compose(TaylorJet.activationCoefficients(act, a: a[idx], slope: slope[idx]), p)
                        dap[b] = g.x
                        dap[b + 1] = g.y
                        dap[b + 2] = g.z
                        dap[b + 3] = g.w
                    }
                }
            }
            dz = Kernels.multiply(network.layers[current].weights.values, da, rows: widths[current + 1], inner: n, cols: stride)
            current += 1
            n = widths[current]
        }
        return LossExpansion(coefficients: lossSeries(logitSeries: dz))
    }

    /// phi_c's coefficients from the series of the logit changes (nL rows of 4 m).
    private func lossSeries(logitSeries d: [Double]) -> [Jet] {
        let nL = widths[network.depth]
        let zL = preActivations[network.depth - 1]
        var result = [Jet](repeating: .zero, count: m)
        func jet(_ r: Int, _ c: Int) -> Jet {
            let b = 4 * (r * m + c)
            return Jet(d[b], d[b + 1], d[b + 2], d[b + 3])
        }
        for c in 0..<m {
            switch network.output {
            case .sigmoid:
                // sum_r softplus(z_r + d_r) - softplus(z_r) - y_r d_r
                var total = Jet.zero
                for r in 0..<nL {
                    let dr = jet(r, c)
                    if dr == .zero { continue }
                    total += TaylorJet.compose(TaylorJet.softplusCoefficients(logit: zL[r * m + c], label: labels[r * m + c]), dr)
                }
                result[c] = total
            case .softmax:
                // labelSum * log1p(sum_r p_r expm1(d_r)) - sum_r y_r d_r; shifted by the dominant
                // class k (p_k > 1/2) when there is one (`EngineCache.dominantClass`):
                // labelSum * log1p(sum_{r != k} p_r expm1(d_r - d_k)) - sum_{r != k} y_r (d_r - d_k).
                let k = dominantClass[c]
                let dk = k >= 0 ? jet(k, c) : .zero
                var inner = Jet.zero
                var linear = Jet.zero
                for r in 0..<nL where r != k {
                    let dr = jet(r, c) - dk
                    if dr == .zero { continue }
                    inner += probabilities[r * m + c] * TaylorJet.compose(TaylorJet.expm1Coefficients, dr)
                    linear += labels[r * m + c] * dr
                }
                result[c] = labelSums[c] * TaylorJet.compose(TaylorJet.log1pCoefficients, inner) - linear
            }
        }
        return result
    }
}

/// The expansions of the hidden rows that at least `minimumSharedCoordinates` of the requested
/// coordinates share, built in parallel before the coordinate loop. A row asked about once or
/// twice (a sampled check) is cheaper to evaluate exactly than to expand.
struct LossExpansionTable: Sendable {
    static let minimumSharedCoordinates = 3
    private var expansions: [LossExpansion?]
    private let rowOffsets: [Int]

    /// An upper bound on the extra work of the requested coordinates whose rows may refuse the
    /// series at step `eps` and go through `exactCentral`. A coordinate of row i of layer l moves
    /// A_l[i, c] by at most eps * |input_c| (tanh and sigmoid are 1-Lipschitz), input_c being
    /// A_{l-1}[j, c] or 1, so a row is safe when r_c eps max(1, max_j |A_{l-1}[j, c]|) stays within
    /// `taylorAcceptance` for every example.
    func refusedOperations(cache: EngineCache, coordinates: [Coordinate], step eps: Double) -> Double {
        let m = cache.m
        // largestInput[l][c] = max(1, max_j |A_{l-1}[j, c]|), once per layer.
        let largestInput: [[Double]] = (0..<rowOffsets.count).map { l in
            guard l >= 1 else { return [] }
            let inputs = cache.activations[l - 1]
            let n = cache.widths[l - 1]
            var largest = [Double](repeating: 1, count: m)
            for j in 0..<n { for c in 0..<m { largest[c] = max(largest[c], abs(inputs[j * m + c])) } }
            return largest
        }
        // Per flat row: 0 not yet looked at, 1 keeps the series, 2 may refuse it.
        var verdict = [UInt8](repeating: 0, count: expansions.count)
        var total = 0.0
        for k in coordinates where k.parameter.kind == .weight {
            let l = k.parameter.layer
            guard let key = flatRow(layer: l, row: k.row), let e = expansions[key] else { continue }
            if verdict[key] == 0 {
                let refuses = (0..<m).contains { c in !(e.growthRates[c] * eps * largestInput[l][c] <= EngineCache.taylorAcceptance) }
                verdict[key] = refuses ? 2 : 1
            }
            if verdict[key] == 2 { total += FastEngine.exactCentralOperations(of: cache.network, examples: m, layer: l) }
        }
        return total
    }

    func expansion(layer: Int, row: Int) -> LossExpansion? {
        flatRow(layer: layer, row: row).flatMap { expansions[$0] }
    }

    /// Rows of hidden layers 1 ... L-1 numbered one after another.
    private func flatRow(layer: Int, row: Int) -> Int? {
        guard layer >= 1 && layer < rowOffsets.count - 1, row >= 0, row < rowOffsets[layer + 1] - rowOffsets[layer] else { return nil }
        return rowOffsets[layer] + row
    }

    /// Stops early (leaving rows out, which then go the exact way) when `stop` fires.
    init(cache: EngineCache, coordinates: [Coordinate], threads: Int, stop: StopSignal) {
        let depth = cache.network.depth
        // rowOffsets[l] for l = 1 ... depth (the last one is the number of hidden rows).
        var offsets = [Int](repeating: 0, count: max(depth + 1, 2))
        if depth >= 2 { for l in 1..<depth { offsets[l + 1] = offsets[l] + cache.widths[l] } }
        rowOffsets = offsets
        let hiddenRows = depth >= 2 ? offsets[depth] : 0
        expansions = [LossExpansion?](repeating: nil, count: hiddenRows)
        var demand = [Int](repeating: 0, count: hiddenRows)
        // Only weights use an expansion: a bias b_l[i] sits in another tensor than its row's
        // weights, so a shard (contiguous runs of whole rows) may hold one without the other;
        // if biases used the row's expansion too, the path a bias takes, and its last digits,
        // would depend on how the check was split. (A bias is one coordinate per row anyway.)
        for k in coordinates where k.parameter.kind == .weight {
            let l = k.parameter.layer
            guard l >= 1 && l < depth && k.row >= 0 && k.row < cache.widths[l] else { continue }
            demand[offsets[l] + k.row] += 1
        }
        var rows: [(layer: Int, row: Int, key: Int)] = []
        if depth >= 2 {
            for l in 1..<depth {
                for i in 0..<cache.widths[l] where demand[offsets[l] + i] >= Self.minimumSharedCoordinates {
                    rows.append((l, i, offsets[l] + i))
                }
            }
        }
        let built = Mutex<[Int: LossExpansion]>([:])
        let next = ChunkCounter()
        let rowList = rows
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, rowList.count))) { _ in
            while let n = next.take(below: rowList.count) {
                if stop.shouldStop() { return }
                let (l, i, key) = rowList[n]
                guard let e = cache.lossExpansion(layer: l, row: i, stop: stop) else { return }
                built.withLock { $0[key] = e }
            }
        }
        for (key, e) in built.withLock({ $0 }) { expansions[key] = e }
    }
}
