/// Numerical derivatives of the mean loss with respect to the intermediates of the forward pass,
/// so a caller's dZ_l and dA_l are checked numerically like the parameters.
///
/// Perturbing Z_l[i, c] (or A_l[i, c]) changes only example c: the change goes through the later
/// layers of that one column (`logitChange` over a single moved column) and the loss change of
/// that example comes from the log1p/expm1 forms, so nothing is subtracted and the central
/// difference keeps its digits, exactly as for a parameter coordinate. A_0 is X; A_L, for a
/// sigmoid output, is perturbed directly in the binary cross-entropy.
extension EngineCache {
    /// d(mean loss) / d(entry) for every entry (n_l x m, row-major) of `name`'s tensor, central
    /// differences with step `eps`; `kinks[k]` marks an entry whose step switches a ReLU. NaN
    /// where `stop` stopped the work.
    func intermediateDerivatives(_ name: GradientName, step eps: Double, stop: StopSignal) -> (values: [Double], kinks: [Bool]) {
        let l = name.layer
        let depth = network.depth
        let rows = widths[l]
        var values = [Double](repeating: .nan, count: rows * m)
        var kinks = [Bool](repeating: false, count: rows * m)
        let twoStepsPerExample = 2 * eps * Double(m)
        var delta = [Double](repeating: 0, count: m)
        for i in 0..<rows {
            if stop.shouldStop() { break }
            for c in 0..<m {
                let up: Double
                let down: Double
                var crossed = false
                if l == depth && name.kind == .preActivation {
                    up = exampleLossChange(column: c) { $0 == i ? eps : 0 }
                    down = exampleLossChange(column: c) { $0 == i ? -eps : 0 }
                } else if l == depth {
                    // dA_L of a sigmoid output: the loss -y log a - (1 - y) log(1 - a) moved directly.
                    let a = probabilities[i * m + c]
                    let y = labels[i * m + c]
                    func change(_ d: Double) -> Double { -y * Kernels.log1p(d / a) - (1 - y) * Kernels.log1p(-d / (1 - a)) }
                    up = change(eps)
                    down = change(-eps)
                } else {
                    let fromActivation = name.kind == .activation
                    delta[c] = eps
                    let plus = logitChange(layer: l, row: i, delta: delta, activationMoves: fromActivation)
                    delta[c] = -eps
                    let minus = logitChange(layer: l, row: i, delta: delta, activationMoves: fromActivation)
                    delta[c] = 0
                    up = exampleLossChange(column: c) { plus.change[$0 * m + c] }
                    down = exampleLossChange(column: c) { minus.change[$0 * m + c] }
                    crossed = plus.crossesKink || minus.crossesKink
                }
                values[i * m + c] = (up - down) / twoStepsPerExample
                kinks[i * m + c] = crossed
            }
        }
        return (values, kinks)
    }
}

extension NumericalGradientEngine {
    /// The numerical derivative of the mean loss with respect to each intermediate in `names`
    /// (see `EngineCache.intermediateDerivatives`), central differences with step `step`.
    public func intermediateDerivatives(
        of network: Network, inputs x: Matrix, labels y: Matrix,
        names: [GradientName], step: Double,
        stop: StopSignal
    ) -> [GradientName: (values: [Double], kinks: [Bool])] {
        guard !names.isEmpty, !stop.shouldStop() else { return [:] }
        let cache = EngineCache(network: network, inputs: x, labels: y, threads: 1)
        var result: [GradientName: (values: [Double], kinks: [Bool])] = [:]
        for name in names { result[name] = cache.intermediateDerivatives(name, step: step, stop: stop) }
        return result
    }

    /// Operations `intermediateDerivatives` takes for `names` (`WorkEstimate`'s unit): per entry,
    /// the change carried both ways through the later layers of one column, and the arrays that
    /// call allocates.
    public static func intermediateOperations(of network: Network, examples m: Int, names: [GradientName]) -> Double {
        let nL = Double(network.layers.last?.weights.rows ?? 0)
        var total = FastEngine.setupOperations(of: network, examples: m)
        for name in names {
            let rows = Double(name.layer == 0 ? network.layers.first?.weights.cols ?? 0 : network.layers[name.layer - 1].weights.rows)
            let downstream = FastEngine.exactCentralOperations(of: network, examples: 1, layer: max(name.layer, 1))
            let arrays = 4 * Double(m) * (1 + nL)
            total += rows * Double(m) * (downstream + arrays + 2 * FastEngine.operationsPerLossChange * nL)
        }
        return total
    }
}
