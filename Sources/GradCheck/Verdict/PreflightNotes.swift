/// Things about the check point that make a gradient check weak, said before anyone trusts the
/// verdict (notes only: the check still runs).
enum PreflightNotes {
    /// Share of units (over the sampled examples) beyond which a layer counts as saturated.
    static let saturatedShare = 0.5
    /// How close to its limit an output counts as saturated.
    static let saturationMargin = 1e-6

    static func notes(network: Network, pass: ForwardPass, epsilon: Double) -> [String] {
        var notes: [String] = []
        let depth = network.depth
        for l in 1...depth {
            let a = pass.activations[l - 1]
            let isOutput = l == depth
            let bounded =
                isOutput
                ? network.output == .sigmoid || network.output == .softmax
                : network.activation == .sigmoid || network.activation == .tanh
            guard bounded, a.count > 0 else { continue }
            let lower = isOutput || network.activation == .sigmoid ? 0.0 : -1.0
            let saturated = a.values.filter { $0 - lower < saturationMargin || 1 - $0 < saturationMargin }.count
            if Double(saturated) > saturatedShare * Double(a.count) {
                notes.append(
                    "\(isOutput ? "the output" : "layer \(l)") is saturated: \(saturated) of \(a.count) sampled activations are within 1e-6 of their limits, where every gradient through them is nearly zero and a wrong derivative there can pass unnoticed"
                )
            }
        }
        for (index, layer) in network.layers.enumerated() {
            let w = layer.weights
            if w.values.allSatisfy({ $0 == 0 }) {
                notes.append(
                    "W\(index + 1) is all zero: every gradient below layer \(index + 1) is zero too, so a check there says little about those lines"
                )
            } else if w.rows > 1, (1..<w.rows).allSatisfy({ r in (0..<w.cols).allSatisfy { w[r, $0] == w[0, $0] } }) {
                notes.append(
                    "every row of W\(index + 1) is the same (symmetric weights): all units of layer \(index + 1) compute the same thing, so a mistake that treats them alike can pass; check at a random initialisation"
                )
            }
        }
        // The notebook's own formula subtracts two costs: below this step it loses every digit.
        let cost = abs(pass.exampleLosses.reduce(0, +) / Double(max(pass.exampleLosses.count, 1)))
        if cost * Precision.float64.unitRoundoff > 1e-3 * epsilon {
            notes.append(
                "the loss (about \(WorkEstimate.scientific(cost))) is so large that epsilon changes it by less than rounding in the notebook's formula (J(theta + eps) - J(theta - eps)) / (2 eps); this service carries the change exactly, but a check in your own code would not"
            )
        }
        return notes
    }
}
