import Foundation

/// How far from the true gradient an honest backward pass computed in `precision` lands: the
/// floor under which a difference says nothing about a bug.
///
/// Model (the answer states it too). Rounding errors are independent, zero-mean, with a standard
/// deviation of u times the magnitude of what is rounded (u: the format's unit roundoff). A
/// stored value carries u |x|; a length-n sum whose partial sums grow like a random walk adds
/// u sqrt(n/2) sqrt(sum of its squared terms). Standard deviations s are then carried through
/// the caller's computation with the network's own values, adding independent parts in
/// quadrature (a (+) b = sqrt(a^2 + b^2)); products of matrices of squares carry variances:
///   forward   s(A_0) = u|X|;  s(Z_l)^2 = W_l^2 s(A_{l-1})^2 + u^2 n/2 W_l^2 A_{l-1}^2;
///             s(A_l) = |g'(Z_l)| s(Z_l) (+) u|A_l|
///   backward  s(dZ_L) = s(A_L) (+) u|A_L - Y|   (per example: the course's convention)
///             s(dW_l)^2 m^2 = s(dZ_l)^2 (A_{l-1}^2)^T + dZ_l^2 (s(A_{l-1})^2)^T + u^2 m/2 dZ_l^2 (A_{l-1}^2)^T;  (+) u|dW_l|
///             s(db_l)^2 m^2 = rowsum s(dZ_l)^2 + u^2 m/2 rowsum dZ_l^2
///             s(dA_{l-1})^2 = (W_l^2)^T s(dZ_l)^2 + u^2 n_l/2 (W_l^2)^T dZ_l^2
///             s(dZ_{l-1}) = |g'(Z)| s(dA_{l-1}) (+) |g''(Z) dA_{l-1}| s(Z) (+) u|dZ_{l-1}|
/// A tensor's floor is ||s|| / (||grad|| + ||gradapprox||): the notebook's difference those
/// errors alone produce (about half of their relative size). The products run over at most
/// `sampledExamples` examples (the errors of dW and db are averages over examples, which a
/// sample estimates), so the floor costs a fraction of one backward pass. Every term is
/// proportional to u, so the model runs once with u = 1 and each format scales it.
///
/// Below the format's smallest normal number N a rounding error is up to half the subnormal
/// spacing (u N), not u |x|: every rounding above carries u max(|x|, N) instead, modelled as
/// variance u^2 (x^2 + N^2) at each rounding (`leastNormal`: N of the caller's format). For
/// float64 N^2 underflows to 0 and the model is the one above; for float16 (N = 2^-14) it is
/// what keeps an honest backward whose values sit among the subnormals from failing.
struct RoundingFloor {
    /// Entrywise error estimates of dW_l and db_l, per unit of roundoff.
    let errorsPerUnitRoundoff: [ParameterID: Matrix]
    /// The floor of each intermediate (dZ_l, dA_l), per unit roundoff: ||s|| / (2 ||value||) over
    /// the sampled examples, which estimates the whole tensor's (the errors are per example).
    let intermediateFloorsPerUnitRoundoff: [GradientName: Double]

    /// The forward pass over the sampled examples (the pre-flight notes read it too).
    let sampledPass: ForwardPass

    /// Examples the model runs over at most.
    static let sampledExamples = 64

    init(network: Network, inputs x: Matrix, labels y: Matrix, threads: Int, leastNormal: Double = 0) {
        // The variance, per unit roundoff squared, of rounding a value at or below N.
        let n2 = leastNormal * leastNormal
        let depth = network.depth
        let m = x.cols
        // Evenly spaced examples: every (m / k)-th column.
        let k = min(m, Self.sampledExamples)
        let columns = (0..<k).map { $0 * m / k }
        func sample(_ matrix: Matrix) -> Matrix {
            Matrix(rows: matrix.rows, cols: k, values: (0..<(matrix.rows * k)).map { matrix.values[($0 / k) * m + columns[$0 % k]] })
        }
        let xs = sample(x)
        let ys = sample(y)
        let pass = network.forward(xs, labels: ys)
        sampledPass = pass
        func product(_ a: Matrix, _ b: Matrix) -> Matrix {
            Matrix(
                rows: a.rows, cols: b.cols,
                values: Kernels.multiply(a.values, b.values, rows: a.rows, inner: a.cols, cols: b.cols, threads: threads))
        }
        func squared(_ a: Matrix) -> Matrix { Matrix(rows: a.rows, cols: a.cols, values: a.values.map { $0 * $0 }) }
        func root(_ a: Matrix) -> Matrix { Matrix(rows: a.rows, cols: a.cols, values: a.values.map { $0.squareRoot() }) }
        func plus(_ a: Matrix, _ c: Double) -> Matrix { c == 0 ? a : Matrix(rows: a.rows, cols: a.cols, values: a.values.map { $0 + c }) }
        let activation = network.activation

        // Forward: variances v = s^2 (u = 1).
        var a2 = [squared(xs)]
        var vA = [plus(a2[0], n2)]
        var vZ: [Matrix] = []
        for l in 1...depth {
            let layer = network.layers[l - 1]
            let w2 = squared(layer.weights)
            let n = Double(layer.weights.cols)
            // The n products' and the sum's absolute parts, and Z's own rounding.
            var v = plus(product(w2, vA[l - 1].adding(a2[l - 1].scaled(by: n / 2))), n2 * (n / 2 + 1))
            for r in 0..<v.rows { for c in 0..<k { v.values[r * k + c] += layer.bias.values[r] * layer.bias.values[r] } }
            vZ.append(v)
            let z = pass.preActivations[l - 1]
            let a = pass.activations[l - 1]
            vA.append(
                Matrix(
                    rows: v.rows, cols: k,
                    values: (0..<v.count).map { i in
                        let slope = l == depth ? a.values[i] * (1 - a.values[i]) : activation.derivative(z.values[i])
                        return slope * slope * v.values[i] + a.values[i] * a.values[i] + n2
                    }))
            a2.append(squared(a))
        }

        // Backward, per example (the course's convention).
        var errors: [ParameterID: Matrix] = [:]
        var intermediateFloors: [GradientName: Double] = [:]
        func intermediateFloor(_ variance: Matrix, _ value: Matrix) -> Double {
            let norm = Norms.euclidean(value.values)
            return norm > 0 ? Norms.euclidean(variance.values.map { $0.squareRoot() }) / (2 * norm) : 0
        }
        var dZ = pass.output.subtracting(ys)
        var vDZ = plus(vA[depth].adding(squared(dZ)), n2)
        let md = Double(k)
        for l in stride(from: depth, through: 1, by: -1) {
            let layer = network.layers[l - 1]
            let dZ2 = squared(dZ)
            intermediateFloors[GradientName(layer: l, kind: .preActivation)] = intermediateFloor(vDZ, dZ)
            // Sums over the m examples (the caller's whole batch), averaged over the sample.
            // The absolute part of the m products and the sum (k sampled terms of N^2 each, scaled
            // as their relative part is), and dW's own rounding.
            let sumFloor = n2 * md * Double(m) / 2 / (md * md)
            let vW = plus(
                product(vDZ, a2[l - 1].transposed())
                    .adding(product(dZ2, vA[l - 1].transposed()))
                    .adding(product(dZ2, a2[l - 1].transposed()).scaled(by: Double(m) / 2))
                    .scaled(by: 1 / (md * md)), sumFloor + n2)
            let dW = product(dZ, pass.activationInput(l, inputs: xs).transposed()).scaled(by: 1 / md)
            errors[ParameterID(layer: l, kind: .weight)] = root(vW.adding(squared(dW)))
            let vB = plus(vDZ.rowSums.adding(dZ2.rowSums.scaled(by: Double(m) / 2)).scaled(by: 1 / (md * md)), n2 == 0 ? 0 : sumFloor + n2)
            errors[ParameterID(layer: l, kind: .bias)] = root(vB)
            let w2T = squared(layer.weights).transposed()
            let vDA = plus(
                product(w2T, vDZ.adding(dZ2.scaled(by: Double(layer.weights.rows) / 2))), n2 * (Double(layer.weights.rows) / 2 + 1))
            let dA = product(layer.weights.transposed(), dZ)
            intermediateFloors[GradientName(layer: l - 1, kind: .activation)] = intermediateFloor(vDA, dA)
            guard l > 1 else { break }
            let z = pass.preActivations[l - 2]
            let previousZ = vZ[l - 2]
            dZ = dA.combined(with: z) { da, zv in da * activation.derivative(zv) }
            vDZ = Matrix(
                rows: dZ.rows, cols: k,
                values: (0..<dZ.count).map { i in
                    let zv = z.values[i]
                    let slope = activation.derivative(zv)
                    let curvature = Self.secondDerivative(activation, zv) * dA.values[i]
                    return slope * slope * vDA.values[i] + curvature * curvature * previousZ.values[i] + dZ.values[i] * dZ.values[i] + n2
                })
        }
        errorsPerUnitRoundoff = errors
        // dA_L of a sigmoid output carries dZ_L's relative error.
        intermediateFloors[GradientName(layer: depth, kind: .activation)] =
            intermediateFloors[GradientName(layer: depth, kind: .preActivation)]
        intermediateFloorsPerUnitRoundoff = intermediateFloors
    }

    /// g''(z) for the smooth activations (ReLU's is 0 away from its kink).
    static func secondDerivative(_ g: Activation, _ z: Double) -> Double {
        switch g {
        case .relu, .leakyRelu: return 0
        case .tanh:
            let t = Foundation.tanh(z)
            return -2 * t * (1 - t * t)
        case .sigmoid:
            let s = logistic(z)
            return s * (1 - s) * (1 - 2 * s)
        }
    }

    /// ||e|| / (||grad|| + ||gradapprox||) over the given entries.
    static func floor(errors: [Double], analytic: [Double], numeric: [Double]) -> Double {
        let denominator = Norms.euclidean(analytic) + Norms.euclidean(numeric)
        guard denominator > 0 else { return 0 }
        return Norms.euclidean(errors) / denominator
    }
}

extension ForwardPass {
    /// A_{l-1}, the input of layer l (X for layer 1).
    func activationInput(_ l: Int, inputs x: Matrix) -> Matrix { l == 1 ? x : activations[l - 2] }
}
