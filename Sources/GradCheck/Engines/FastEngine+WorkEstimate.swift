extension FastEngine {
    /// Fixed cost of carrying a change through one layer off the fast path (two allocations, the
    /// loop set-up), in `WorkEstimate` operations. It dominates narrow, deep networks: an
    /// 8,000-layer width-1 tanh network spends nearly all its time here.
    static let operationsPerPropagatedLayer = 1500.0
    /// Per example and output unit: the loss change's expm1/log1p series and compensated sum.
    static let operationsPerLossChange = 30.0
    /// Per unit and example of a propagated layer: the activation's change formula.
    static let operationsPerActivationChange = 30.0

    /// Roughly how many floating-point operations `derivatives` spends on `coordinates` coordinates
    /// of tensor `parameter` (call once per tensor and add, plus `setupOperations` once per call).
    /// Measured on the project's 2-core machine the engine does about 2.5e9 of these per second
    /// per core (1024-512-256-1, m = 512, full central check: 1.0e10 operations in 2.1 s).
    ///
    /// ReLU and leaky ReLU are priced on the linear fast path; `slowPathOperations` re-prices
    /// them once the check point is known. Tanh and sigmoid are priced on the series path
    /// (`LossExpansion`) where rows are shared by enough coordinates; `LossExpansionTable`'s
    /// `refusedOperations` re-prices the rows whose changes may be too large for the series. A work budget built on "two forward passes per
    /// coordinate" overestimates this engine by 100-10,000x for ReLU networks; use this instead.
    public static func estimatedOperations(
        of network: Network, examples m: Int, parameter: ParameterID,
        coordinates: Int, method: DifferenceMethod
    ) -> Double {
        let nL = Double(network.layers.last?.weights.rows ?? 0)
        let base = operationsPerLossChange * Double(m) * nL * Double(coordinates)
        guard method == .central && !network.activation.hasKinks && parameter.layer < network.depth,
            parameter.layer >= 1, coordinates > 0
        else { return base }
        let l = parameter.layer
        let exact = exactCentralOperations(of: network, examples: m, layer: l) * Double(coordinates)
        // Smooth activations: rows that enough coordinates share get one expansion each, then
        // O(m) per coordinate. Coordinates per row, assuming they spread evenly over the rows.
        let rows = network.layers[l - 1].weights.rows
        let perRow = Double(coordinates) / Double(max(rows, 1))
        guard perRow >= Double(LossExpansionTable.minimumSharedCoordinates) else { return base + exact }
        let expanded =
            Double(min(rows, coordinates)) * expansionOperations(of: network, examples: m, layer: l)
            + Double(coordinates) * Double(m) * operationsPerTaylorExample
        return base + min(exact, expanded)
    }

    /// Per example of a series-evaluated coordinate: two activation changes, two Horner
    /// evaluations, the remainder test and the compensated sum.
    static let operationsPerTaylorExample = 60.0
    /// Per unit and example of a layer the expansion passes through: the activation's four
    /// coefficients and the fourth-order composition.
    static let operationsPerJetComposition = 60.0

    /// One `LossExpansion` of a unit of layer `l`: four orders carried through every later layer
    /// (composition, then the next product on 4m columns), then the loss series.
    static func expansionOperations(of network: Network, examples m: Int, layer l: Int) -> Double {
        let depth = network.depth
        guard l < depth else { return 0 }
        let widths = [network.layers.first?.weights.cols ?? 0] + network.layers.map(\.weights.rows)
        var perExample = Double(widths[l + 1]) * 4
        var k = l + 1
        while k < depth {
            perExample += operationsPerJetComposition * Double(widths[k]) + 2 * 4 * Double(widths[k] * widths[k + 1])
            k += 1
        }
        perExample += operationsPerJetComposition * Double(widths[depth])
        return Double(m) * perExample + operationsPerPropagatedLayer * Double(depth - l)
    }

    /// One coordinate of layer `l` through `exactCentral`: the change carried both ways through
    /// every later layer (activation change, then the next layer's product, per moved example),
    /// plus the per-layer fixed cost.
    static func exactCentralOperations(of network: Network, examples m: Int, layer l: Int) -> Double {
        let depth = network.depth
        guard l < depth else { return 0 }
        let widths = [network.layers.first?.weights.cols ?? 0] + network.layers.map(\.weights.rows)
        var perExample = operationsPerActivationChange + Double(widths[l + 1])
        var k = l + 1
        while k < depth {
            perExample += operationsPerActivationChange * Double(widths[k]) + 2 * Double(widths[k] * widths[k + 1])
            k += 1
        }
        return 2 * (Double(m) * perExample + operationsPerPropagatedLayer * Double(depth - l))
    }

    /// The fixed part of a `derivatives` call: the forward pass, nL passes back for the logit
    /// sensitivities and the kink bounds.
    public static func setupOperations(of network: Network, examples m: Int) -> Double {
        let widths = [network.layers.first?.weights.cols ?? 0] + network.layers.map(\.weights.rows)
        let depth = network.depth
        guard depth > 0 else { return 0 }
        var forward = 0.0
        for l in 1...depth { forward += 2 * Double(widths[l] * widths[l - 1] * m) + operationsPerPropagatedLayer }
        return forward * (1 + Double(widths[depth]) + (network.activation.hasKinks ? 1 : 0))
    }
}

extension EngineCache {
    /// An upper bound on the extra work of the coordinates that leave the ReLU fast path at this
    /// check point, for central differences with step `eps`.
    ///
    /// A coordinate of row i of layer l (l < L) stays on the fast path when, for every example c
    /// it moves, its change |A_l[i, c]| is below `safeChange`. That change is at most
    /// eps * |input[c]| (ReLU and leaky ReLU are 1-Lipschitz), and input[c] is A_{l-1}[j, c] for a
    /// weight, 1 for a bias. So if eps * max(1, max_j |A_{l-1}[j, c]|) < safe[i, c] for every c,
    /// no coordinate of row i leaves the path; otherwise the whole row is priced off it.
    func slowPathOperations(coordinates: [Coordinate], step eps: Double) -> Double {
        guard network.activation.hasKinks, network.depth >= 2 else { return 0 }
        let depth = network.depth
        // slowRow[l - 1][i]: row i of layer l may leave the fast path.
        var slowRow: [[Bool]] = []
        for l in 1..<depth {
            let inputs = activations[l - 1]
            let rows = widths[l - 1]
            var largestInput = [Double](repeating: 1, count: m)
            for j in 0..<rows { for c in 0..<m { largestInput[c] = max(largestInput[c], abs(inputs[j * m + c])) } }
            let safe = safeChange[l - 1]
            slowRow.append(
                (0..<widths[l]).map { i in
                    (0..<m).contains { c in !(eps * largestInput[c] < safe[i * m + c]) }
                })
        }
        var perLayer = [Double](repeating: 0, count: depth + 1)
        for l in 1..<depth { perLayer[l] = FastEngine.exactCentralOperations(of: network, examples: m, layer: l) }
        var total = 0.0
        for k in coordinates where k.parameter.layer < depth && k.parameter.layer >= 1 {
            let l = k.parameter.layer
            if k.row >= 0 && k.row < widths[l] && slowRow[l - 1][k.row] { total += perLayer[l] }
        }
        return total
    }
}
