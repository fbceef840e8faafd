import Foundation

/// Everything the fast engine reads while it perturbs coordinates: the unperturbed forward pass,
/// how the logits respond to a change of each hidden unit, and how large a change each hidden
/// unit can take before some ReLU downstream switches. Built once per request, then only read
/// (from several threads).
struct EngineCache: Sendable {
    let network: Network
    let m: Int
    /// Layer widths n_0 ... n_L.
    let widths: [Int]
    /// A_0 = X, A_1 ... A_{L-1}, row-major (index l is A_l).
    let activations: [[Double]]
    /// Z_1 ... Z_L (index l - 1 is Z_l).
    let preActivations: [[Double]]
    /// f'(Z_l) for l = 1 ... L-1 (index l - 1): the tangent slope, and the cached half of the
    /// smooth activations' change formulas. sech^2 and s(z) s(-z) rather than 1 - t^2 and
    /// s (1 - s), which lose every digit once a unit saturates.
    let slopes: [[Double]]
    /// Labels Y, nL x m.
    let labels: [Double]
    /// sigma(Z_L) (sigmoid output) or softmax(Z_L), nL x m.
    let probabilities: [Double]
    /// 1 - sigma(Z_L) as sigma(-Z_L) (sigmoid output; empty for softmax): the digits a
    /// saturated probability loses.
    let complements: [Double]
    /// Per example, the class whose softmax probability is above 1/2, or -1 (empty for sigmoid):
    /// the loss change is shifted by its logit change so that 1 - p_k is never formed.
    let dominantClass: [Int]
    /// sum_r Y[r, c] per example (softmax's loss scales logsumexp by it).
    let labelSums: [Double]
    /// dLoss_c / dZ_L[r, c] (not divided by m), nL x m.
    let logitGradient: [Double]
    /// sensitivities[l - 1][r] (n_l x m), l = 1 ... L-1: d Z_L[r, c] / d A_l[i, c] with the
    /// activation pattern held fixed; exact (not a linearisation) for ReLU / leaky ReLU while no
    /// unit switches, and the tangent map that complex-step propagates for every activation.
    let sensitivities: [[[Double]]]
    /// safeChange[l - 1] (n_l x m), l = 1 ... L-1: a change of A_l[i, c] smaller than this in
    /// magnitude provably switches no ReLU in layers l+1 ... L-1. Empty for smooth activations.
    let safeChange: [[Double]]

    init(network: Network, inputs x: Matrix, labels y: Matrix, threads: Int) {
        self.network = network
        let depth = network.depth
        let m = x.cols
        self.m = m
        var widths = [x.rows]
        for layer in network.layers { widths.append(layer.weights.rows) }
        self.widths = widths
        let act = network.activation

        var acts: [[Double]] = [x.values]
        var zs: [[Double]] = []
        for l in 1...depth {
            let layer = network.layers[l - 1]
            var z = Kernels.multiply(layer.weights.values, acts[l - 1], rows: widths[l], inner: widths[l - 1], cols: m, threads: threads)
            for r in 0..<widths[l] {
                let b = layer.bias.values[r]
                for c in 0..<m { z[r * m + c] += b }
            }
            zs.append(z)
            if l < depth { acts.append(z.map(act.value)) }
        }
        activations = acts
        preActivations = zs
        slopes = zs.dropLast().map { z in z.map { EngineCache.slope(act, $0) } }
        labels = y.values

        let nL = widths[depth]
        let logits = Matrix(rows: nL, cols: m, values: zs[depth - 1])
        let probs = network.output.probabilities(logits).values
        probabilities = probs
        if network.output == .sigmoid {
            complements = zs[depth - 1].map { logistic(-$0) }
            dominantClass = []
        } else {
            complements = []
            dominantClass = (0..<m).map { c in (0..<nL).first { probs[$0 * m + c] > 0.5 } ?? -1 }
        }
        var sums = [Double](repeating: 0, count: m)
        for r in 0..<nL { for c in 0..<m { sums[c] += y.values[r * m + c] } }
        labelSums = sums
        logitGradient = EngineCache.stableLogitGradient(
            network.output, logits: zs[depth - 1], probabilities: probs, labels: y.values, labelSums: sums, rows: nL, examples: m)

        sensitivities = EngineCache.sensitivities(network: network, widths: widths, slopes: slopes, m: m, threads: threads)
        safeChange =
            act.hasKinks
            ? EngineCache.safeChanges(network: network, widths: widths, preActivations: zs, m: m)
            : []
    }

    /// dLoss/dZ_L per example without cancellation, so a saturated output still gets its exact
    /// derivative (complex-step and the directional tangent read it): sigmoid's p - y is
    /// (1 - y) s(z) - y s(-z), where s(-z) = 1 - p holds the digits the rounded p lost
    /// (sigmoid(36) is 1 in float64, its 1 - p is 2.3e-16); softmax's sum(y) p_r - y_r is
    /// p_r (sum(y) - y_r) - y_r sum_{j != r} p_j, with 1 - p_r as the sum of the other
    /// probabilities (each accurate to its own size), where p_r > 1/2 (one row per example).
    static func stableLogitGradient(
        _ output: OutputLayer, logits z: [Double], probabilities p: [Double], labels y: [Double], labelSums: [Double],
        rows nL: Int, examples m: Int
    ) -> [Double] {
        var g = [Double](repeating: 0, count: nL * m)
        for c in 0..<m {
            for r in 0..<nL {
                let i = r * m + c
                switch output {
                case .sigmoid:
                    g[i] = (1 - y[i]) * p[i] - y[i] * logistic(-z[i])
                case .softmax:
                    // Only a probability above 1/2 loses digits in 1 - p (at most one per example).
                    guard p[i] > 0.5 else {
                        g[i] = labelSums[c] * p[i] - y[i]
                        continue
                    }
                    var others = 0.0
                    for j in 0..<nL where j != r { others += p[j * m + c] }
                    g[i] = p[i] * (labelSums[c] - y[i]) - y[i] * others
                }
            }
        }
        return g
    }

    static func slope(_ act: Activation, _ z: Double) -> Double {
        switch act {
        case .relu, .leakyRelu: return act.derivative(z)
        case .tanh:
            let c = cosh(z)
            return 1 / (c * c)
        case .sigmoid: return logistic(z) * logistic(-z)
        }
    }

    /// How much A = f(z) moves when z moves by d: `Activation.change(at:by:)`, with the smooth
    /// activations' closed forms rewritten on the cached a = f(z) and slope = f'(z), so a small
    /// step costs a few multiplications instead of three hyperbolic functions:
    /// tanh(z+d) - tanh(z) = sech^2(z) tanh(d) / (1 + tanh(z) tanh(d)),
    /// s(z+d) - s(z) = s(z) s(-z) expm1(d) / (1 + s(z) expm1(d)).
    @inline(__always)
    static func activationChange(_ act: Activation, z: Double, a: Double, slope: Double, by d: Double) -> Double {
        switch act {
        case .relu, .leakyRelu: return act.change(at: z, by: d)
        case .tanh:
            guard abs(d) <= SeriesCutoff.smallArgument else { return act.change(at: z, by: d) }
            // tanh series through d^7: exact to rounding below the cutoff.
            let d2 = d * d
            let td = d * (1 - d2 * (1.0 / 3 - d2 * (2.0 / 15 - d2 * (17.0 / 315))))
            return slope * td / (1 + a * td)
        case .sigmoid:
            guard abs(d) <= SeriesCutoff.smallArgument else { return act.change(at: z, by: d) }
            let e = Kernels.expm1(d)
            return slope * e / (1 + a * e)
        }
    }

    /// Walks back from the logits: T_{L-1}[r][i, c] = W_L[r, i]; T_l = W_{l+1}^T (T_{l+1} o f'(Z_{l+1})).
    private static func sensitivities(network: Network, widths: [Int], slopes: [[Double]], m: Int, threads: Int) -> [[[Double]]] {
        let depth = network.depth
        guard depth >= 2 else { return [] }
        let nL = widths[depth]
        var result = [[[Double]]](repeating: [], count: depth - 1)
        let wL = network.layers[depth - 1].weights.values
        let nTop = widths[depth - 1]
        result[depth - 2] = (0..<nL).map { r in
            var t = [Double](repeating: 0, count: nTop * m)
            for i in 0..<nTop {
                let w = wL[r * nTop + i]
                for c in 0..<m { t[i * m + c] = w }
            }
            return t
        }
        if depth >= 3 {
            for l in stride(from: depth - 2, through: 1, by: -1) {
                let above = l + 1
                let wT = Kernels.transpose(network.layers[above - 1].weights.values, rows: widths[above], cols: widths[l])
                let slope = slopes[above - 1]
                result[l - 1] = result[above - 1].map { tAbove in
                    var g = tAbove
                    for k in 0..<g.count { g[k] *= slope[k] }
                    return Kernels.multiply(wT, g, rows: widths[l], inner: widths[above], cols: m, threads: threads)
                }
            }
        }
        return result
    }

    /// For unit i of layer l and example c, the largest |dA_l[i, c]| that switches no unit of
    /// layers l+1 ... L-1. Layer l+1 exactly: dZ_{l+1}[k, c] = W_{l+1}[k, i] dA, so the bound is
    /// min_k |Z_{l+1}[k, c]| / |W_{l+1}[k, i]|. Deeper layers through the infinity norm:
    /// ReLU and leaky ReLU are 1-Lipschitz, so |dZ_q[:, c]|_inf <= |dA| max_k |W_{l+1}[k, i]|
    /// prod_{p=l+2}^{q} ||W_p||_inf. A coordinate whose change exceeds the bound is not
    /// necessarily a kink: it goes to the exact propagation, which decides.
    private static func safeChanges(network: Network, widths: [Int], preActivations zs: [[Double]], m: Int) -> [[Double]] {
        let depth = network.depth
        guard depth >= 2 else { return [] }
        // Safety factor against rounding in the bound itself.
        let margin = 0.5
        // rowNorms[p] = ||W_p||_inf for p = 1 ... L.
        var rowNorms = [Double](repeating: 0, count: depth + 1)
        for p in 1...depth {
            let w = network.layers[p - 1].weights
            for r in 0..<w.rows {
                var s = 0.0
                for c in 0..<w.cols { s += abs(w.values[r * w.cols + c]) }
                rowNorms[p] = max(rowNorms[p], s)
            }
        }
        // smallest[q][c] = min_k |Z_q[k, c]| for hidden layers q.
        var smallest = [[Double]](repeating: [], count: depth + 1)
        for q in 1..<depth {
            var s = [Double](repeating: .infinity, count: m)
            let z = zs[q - 1]
            for k in 0..<widths[q] { for c in 0..<m { s[c] = min(s[c], abs(z[k * m + c])) } }
            smallest[q] = s
        }
        var result: [[Double]] = []
        for l in 1..<depth {
            let n = widths[l]
            var safe = [Double](repeating: .infinity, count: n * m)
            let next = l + 1
            if next <= depth - 1 {
                let w = network.layers[next - 1].weights.values
                let z = zs[next - 1]
                for k in 0..<widths[next] {
                    for i in 0..<n {
                        let wa = abs(w[k * n + i])
                        if wa == 0 { continue }
                        let inv = margin / wa
                        for c in 0..<m { safe[i * m + c] = min(safe[i * m + c], abs(z[k * m + c]) * inv) }
                    }
                }
                // Deeper hidden layers q = l+2 ... L-1.
                if l + 2 <= depth - 1 {
                    var deep = [Double](repeating: .infinity, count: m)
                    var gain = 1.0
                    for q in (l + 2)...(depth - 1) {
                        gain *= rowNorms[q]
                        for c in 0..<m { deep[c] = min(deep[c], smallest[q][c] / gain) }
                    }
                    for i in 0..<n {
                        var colMax = 0.0
                        for k in 0..<widths[next] { colMax = max(colMax, abs(w[k * n + i])) }
                        if colMax == 0 { continue }
                        for c in 0..<m { safe[i * m + c] = min(safe[i * m + c], margin * deep[c] / colMax) }
                    }
                }
            }
            result.append(safe)
        }
        return result
    }
}
