import Foundation

/// J(theta + perturbation) - J(theta), evaluated as an exact rearrangement of the perturbed
/// forward pass instead of a subtraction of two costs.
///
/// Why: with epsilon 1e-7 the two costs of a central difference agree in their first 7 digits,
/// so `J(theta+eps) - J(theta-eps)` keeps only ~9 significant digits of a double and the
/// notebook's check scores a correct backward at 1.19e-7 on its own test case. Here the
/// perturbed pass is written as base + change and only the change is carried forward:
///     dZ_l = W_l dA_{l-1} (+ dW_l (A_{l-1} + dA_{l-1}) + db_l for perturbed layers)
///     dA_l = g(Z_l + dZ_l) - g(Z_l)           via `Activation.change`, no cancellation
///     dLoss = loss(Z_L + dZ_L) - loss(Z_L)    via log1p/expm1 forms below, no cancellation
/// Every step is algebraically identical to running the perturbed network and subtracting
/// (no linearisation: the activations and losses are evaluated at the perturbed values), but
/// each quantity is computed to full relative precision of its own (tiny) size. The central
/// difference then carries only its O(eps^2) truncation error plus ~1e-16 relative rounding,
/// which brings correct gradients on notebook.json to a difference of 1.8e-16 (measured in
/// `NotebookTests`; two full passes and a subtraction give 1.3e-9 with the logits-form loss, and
/// numpy's log of rounded sigmoids 1.19e-7). The step is exactly `eps`: theta + eps is never rounded to a double,
/// which removes the notebook's other error source ((theta + eps) - theta != eps).
struct CostChange {
    let network: Network
    let x: Matrix
    let y: Matrix
    let base: ForwardPass

    struct Result {
        var change: Double
        /// Some ReLU / leaky-ReLU unit switched on or off relative to the base pass.
        var crossesKink: Bool
    }

    /// The cost change when one entry (`coordinate`) moves by `d`.
    func change(at coordinate: Coordinate, by d: Double) -> Result {
        let l = coordinate.parameter.layer
        let previous = l == 1 ? x : base.activations[l - 2]
        let m = x.cols
        var dZ = Matrix(rows: network.layers[l - 1].weights.rows, cols: m)
        var regularisation = 0.0
        switch coordinate.parameter.kind {
        case .weight:
            for c in 0..<m { dZ[coordinate.row, c] = d * previous[coordinate.col, c] }
            let w = network.layers[l - 1].weights[coordinate.row, coordinate.col]
            // (w + d)^2 - w^2 = d (2w + d)
            regularisation = network.lambd / (2 * Double(m)) * d * (2 * w + d)
        case .bias:
            for c in 0..<m { dZ[coordinate.row, c] = d }
        }
        return propagate(from: l, deltaZ: dZ, regularisation: regularisation) { _, _ in nil }
    }

    /// The cost change when every parameter P moves by `d * direction[P]` (missing = zero).
    func change(along direction: [ParameterID: Matrix], by d: Double) -> Result {
        var deltas: [Layer?] = []
        var squares = CompensatedSum()
        for (index, layer) in network.layers.enumerated() {
            let dW = direction[ParameterID(layer: index + 1, kind: .weight)].map { scaled($0, d) }
            let db = direction[ParameterID(layer: index + 1, kind: .bias)].map { scaled($0, d) }
            if dW == nil && db == nil {
                deltas.append(nil)
                continue
            }
            let weights = dW ?? Matrix(rows: layer.weights.rows, cols: layer.weights.cols)
            for i in 0..<weights.count { squares.add(weights.values[i] * (2 * layer.weights.values[i] + weights.values[i])) }
            deltas.append(Layer(weights: weights, bias: db ?? Matrix(rows: layer.bias.rows, cols: 1)))
        }
        let regularisation = network.lambd / (2 * Double(x.cols)) * squares.value
        guard let first = deltas.firstIndex(where: { $0 != nil }) else { return Result(change: 0, crossesKink: false) }
        let extra: (Int, Matrix) -> Matrix? = { l, dAPrevious in
            guard let delta = deltas[l - 1] else { return nil }
            // dW (A + dA) + db: the perturbed layer sees the perturbed input.
            var input = l == 1 ? x : base.activations[l - 2]
            for i in 0..<input.count { input.values[i] += dAPrevious.values[i] }
            var out = delta.weights.multiplied(by: input)
            for r in 0..<out.rows { for c in 0..<out.cols { out[r, c] += delta.bias.values[r] } }
            return out
        }
        let zeroInput = Matrix(rows: first == 0 ? x.rows : network.layers[first - 1].weights.rows, cols: x.cols)
        let dZ = extra(first + 1, zeroInput)!
        return propagate(from: first + 1, deltaZ: dZ, regularisation: regularisation, extra: extra)
    }

    /// Carries dZ_start through the layers after `start` and scores the change of the loss.
    private func propagate(
        from start: Int, deltaZ: Matrix, regularisation: Double,
        extra: (Int, Matrix) -> Matrix?
    ) -> Result {
        var dZ = deltaZ
        var kink = false
        let depth = network.depth
        var l = start
        while l < depth {
            let z = base.preActivations[l - 1]
            var dA = dZ
            for i in 0..<dZ.count {
                let delta = dZ.values[i]
                if delta == 0 { continue }
                let zi = z.values[i]
                if network.activation.hasKinks && (zi > 0) != (zi + delta > 0) { kink = true }
                dA.values[i] = network.activation.change(at: zi, by: delta)
            }
            var next = network.layers[l].weights.multiplied(bySparseRows: dA)
            if let added = extra(l + 1, dA) {
                for i in 0..<next.count { next.values[i] += added.values[i] }
            }
            dZ = next
            l += 1
        }
        var total = CompensatedSum()
        for c in 0..<x.cols { total.add(lossChange(column: c, deltaLogits: dZ)) }
        return Result(change: total.value / Double(x.cols) + regularisation, crossesKink: kink)
    }

    /// loss(z + d) - loss(z) for one example, to full relative precision for small d.
    private func lossChange(column c: Int, deltaLogits d: Matrix) -> Double {
        let z = base.logits
        var largest = 0.0
        for r in 0..<d.rows { largest = max(largest, abs(d[r, c])) }
        if largest == 0 { return 0 }
        if largest >= 0.5 {
            // Far from a derivative's scale: the direct difference is accurate enough.
            var shifted = z
            for r in 0..<d.rows { shifted[r, c] += d[r, c] }
            return network.output.exampleLoss(logits: shifted, labels: y, column: c)
                - base.exampleLosses[c]
        }
        switch network.output {
        case .sigmoid:
            // loss = y softplus(-z) + (1 - y) softplus(z); each term changes without cancellation.
            var sum = 0.0
            for r in 0..<d.rows {
                let label = y[r, c]
                let zr = z[r, c]
                let dr = d[r, c]
                sum += label * softplusChange(at: -zr, by: -dr) + (1 - label) * softplusChange(at: zr, by: dr)
            }
            return sum
        case .softmax:
            // loss = -sum_k y_k log p_k; log p_k(z + d) - log p_k(z) = -log1p(sum_r p_r expm1(d_r - d_k)).
            let p = base.output
            var sum = 0.0
            for k in 0..<d.rows where y[k, c] != 0 {
                var inner = 0.0
                for r in 0..<d.rows where r != k { inner += p[r, c] * expm1(d[r, c] - d[k, c]) }
                sum += y[k, c] * log1p(inner)
            }
            return sum
        }
    }

    /// softplus(z + d) - softplus(z) = log1p(sigmoid(z) expm1(d)).
    private func softplusChange(at z: Double, by d: Double) -> Double {
        log1p(logistic(z) * expm1(d))
    }

    private func scaled(_ m: Matrix, _ d: Double) -> Matrix {
        Matrix(rows: m.rows, cols: m.cols, values: m.values.map { $0 * d })
    }
}

extension Matrix {
    /// `self * other`, visiting only the rows of `other` that have a nonzero entry: a single
    /// perturbed coordinate changes one row of dA, so this is an outer product, not a full product.
    func multiplied(bySparseRows other: Matrix) -> Matrix {
        precondition(cols == other.rows, "Matrix product shapes \(shape) and \(other.shape) do not chain")
        let n = other.cols
        var live: [Int] = []
        for k in 0..<other.rows where other.values[(k * n)..<((k + 1) * n)].contains(where: { $0 != 0 }) { live.append(k) }
        var out = Matrix(rows: rows, cols: n)
        if live.isEmpty { return out }
        if live.count == other.rows { return multiplied(by: other) }
        values.withUnsafeBufferPointer { a in
            other.values.withUnsafeBufferPointer { b in
                out.values.withUnsafeMutableBufferPointer { c in
                    for i in 0..<rows {
                        for k in live {
                            let aik = a[i * cols + k]
                            if aik == 0 { continue }
                            for j in 0..<n { c[i * n + j] += aik * b[k * n + j] }
                        }
                    }
                }
            }
        }
        return out
    }
}
