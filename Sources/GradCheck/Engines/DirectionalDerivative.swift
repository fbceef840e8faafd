import Foundation

extension FastEngine {
    /// Central: two real forward passes, at theta + eps u and theta - eps u, and the loss
    /// difference of each example from the two logit vectors in log1p/expm1 form (no subtraction
    /// of two whole costs). Complex-step: one forward pass carrying the imaginary part, which to
    /// rounding is h times the tangent, so the tangent is carried directly (see `FastEngine`).
    /// A missing direction entry counts as zero.
    public func directionalDerivative(
        of network: Network, inputs x: Matrix, labels y: Matrix,
        along direction: [ParameterID: Matrix], method: DifferenceMethod, step: Double
    ) -> NumericalDerivative {
        for (id, u) in direction where id.layer < 1 || id.layer > network.depth || network[id].shape != u.shape {
            return NumericalDerivative(value: .nan, crossesKink: false)
        }
        var regularisation = 0.0
        if network.lambd != 0 {
            // d/dt of lambd/(2m) sum ||W + t U||^2 at 0: the central difference of a quadratic is exact.
            var dot = CompensatedSum()
            for id in network.parameterIDs where id.kind == .weight {
                guard let u = direction[id] else { continue }
                let w = network[id]
                for k in 0..<w.count { dot.add(w.values[k] * u.values[k]) }
            }
            regularisation = network.lambd * dot.value / Double(x.cols)
        }
        switch method {
        case .central:
            return centralDirectional(network, x, y, direction, eps: step, regularisation: regularisation)
        case .complexStep:
            return tangentDirectional(network, x, y, direction, regularisation: regularisation)
        }
    }

    private func moved(_ network: Network, _ direction: [ParameterID: Matrix], by t: Double) -> Network {
        var out = network
        for (id, u) in direction {
            var p = out[id]
            for k in 0..<p.count { p.values[k] += t * u.values[k] }
            out[id] = p
        }
        return out
    }

    /// Z_1 ... Z_L of a real forward pass.
    private func preActivations(_ network: Network, _ x: Matrix) -> [[Double]] {
        var input = x.values
        var zs: [[Double]] = []
        let m = x.cols
        for (index, layer) in network.layers.enumerated() {
            var z = Kernels.multiply(
                layer.weights.values, input, rows: layer.weights.rows, inner: layer.weights.cols, cols: m, threads: threads)
            for r in 0..<layer.weights.rows {
                let b = layer.bias.values[r]
                for c in 0..<m { z[r * m + c] += b }
            }
            zs.append(z)
            if index < network.depth - 1 { input = z.map(network.activation.value) }
        }
        return zs
    }

    private func centralDirectional(
        _ network: Network, _ x: Matrix, _ y: Matrix, _ direction: [ParameterID: Matrix],
        eps: Double, regularisation: Double
    ) -> NumericalDerivative {
        let up = preActivations(moved(network, direction, by: eps), x)
        let down = preActivations(moved(network, direction, by: -eps), x)
        var crossed = false
        if network.activation.hasKinks {
            for l in 0..<(network.depth - 1) where !crossed {
                crossed = zip(up[l], down[l]).contains { ($0 > 0) != ($1 > 0) }
            }
        }
        let m = x.cols
        let nL = y.rows
        let zUp = up[network.depth - 1]
        let zDown = down[network.depth - 1]
        let pDown = network.output.probabilities(Matrix(rows: nL, cols: m, values: zDown)).values
        var sum = CompensatedSum()
        for c in 0..<m {
            switch network.output {
            case .sigmoid:
                for r in 0..<nL {
                    let k = r * m + c
                    let d = zUp[k] - zDown[k]
                    sum.add(Kernels.log1p(pDown[k] * Kernels.expm1(d)) - y.values[k] * d)
                }
            case .softmax:
                var inner = 0.0
                var linear = 0.0
                var labelSum = 0.0
                for r in 0..<nL {
                    let k = r * m + c
                    let d = zUp[k] - zDown[k]
                    inner += pDown[k] * Kernels.expm1(d)
                    linear += y.values[k] * d
                    labelSum += y.values[k]
                }
                sum.add(labelSum * Kernels.log1p(inner) - linear)
            }
        }
        return NumericalDerivative(value: sum.value / Double(m) / (2 * eps) + regularisation, crossesKink: crossed)
    }

    /// One forward pass carrying (Z, dZ): dZ_l = U_l A_{l-1} + W_l dA_{l-1} + u_b, dA = f'(Z) dZ.
    private func tangentDirectional(
        _ network: Network, _ x: Matrix, _ y: Matrix, _ direction: [ParameterID: Matrix],
        regularisation: Double
    ) -> NumericalDerivative {
        let m = x.cols
        var input = x.values
        var tangentIn: [Double]? = nil
        var crossed = false
        var logits: [Double] = []
        var logitTangent: [Double] = []
        for (index, layer) in network.layers.enumerated() {
            let l = index + 1
            let n = layer.weights.rows
            let inner = layer.weights.cols
            var z = Kernels.multiply(layer.weights.values, input, rows: n, inner: inner, cols: m, threads: threads)
            var dz = [Double](repeating: 0, count: n * m)
            if let u = direction[ParameterID(layer: l, kind: .weight)] {
                dz = Kernels.multiply(u.values, input, rows: n, inner: inner, cols: m, threads: threads)
            }
            if let t = tangentIn {
                let more = Kernels.multiply(layer.weights.values, t, rows: n, inner: inner, cols: m, threads: threads)
                for k in 0..<dz.count { dz[k] += more[k] }
            }
            let ub = direction[ParameterID(layer: l, kind: .bias)]
            for r in 0..<n {
                let b = layer.bias.values[r]
                let db = ub?.values[r] ?? 0
                for c in 0..<m {
                    z[r * m + c] += b
                    dz[r * m + c] += db
                }
            }
            if l == network.depth {
                logits = z
                logitTangent = dz
            } else {
                let act = network.activation
                if act.hasKinks {
                    // Same rule as per coordinate: a central step of kinkProbeStep would switch the unit.
                    for k in 0..<z.count where dz[k] != 0 && abs(z[k]) <= FastEngine.kinkProbeStep * abs(dz[k]) { crossed = true }
                }
                var t = dz
                for k in 0..<t.count { t[k] *= EngineCache.slope(act, z[k]) }
                tangentIn = t
                input = z.map(act.value)
            }
        }
        let nL = y.rows
        let p = network.output.probabilities(Matrix(rows: nL, cols: m, values: logits))
        let g = network.output.logitGradient(probabilities: p, labels: y).values
        var sum = CompensatedSum()
        for k in 0..<g.count { sum.add(g[k] * logitTangent[k]) }
        return NumericalDerivative(value: sum.value / Double(m) + regularisation, crossesKink: crossed)
    }
}
