/// CS231n's `svm_loss(x, y)`: the multiclass hinge loss with margin 1, averaged over the batch,
/// (1/N) sum_i sum_{j != y_i} max(0, x_ij - x_iy_i + 1); the backward is dx.
///
/// Derivation: each positive margin adds x_ij - x_iy_i + 1, so dx_ij = 1/N for every j != y_i
/// with a positive margin and dx_iy_i = -(their count)/N. A margin of exactly 0 is a kink (a
/// subgradient point): the backward counts it as inactive, as CS231n's `margins > 0` does.
public struct SVMLossLayer: ClassificationLoss {
    public init() {}

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        let x = inputs["x"]!
        let classes = x.shape[1]
        var loss = 0.0
        for (row, label) in inputs["y"]!.values.enumerated() {
            let start = row * classes
            let correct = x.values[start + Int(label)]
            for j in 0..<classes where j != Int(label) { loss += max(0, x.values[start + j] - correct + 1) }
        }
        return [Tensor(scalar: loss / Double(x.shape[0]))]
    }

    /// The hinge's gradient times `scale` (the right one is 1/N).
    func gradient(_ inputs: LayerInputs, scale: Double) -> Tensor {
        let x = inputs["x"]!
        let classes = x.shape[1]
        var dx = [Double](repeating: 0, count: x.count)
        for (row, label) in inputs["y"]!.values.enumerated() {
            let start = row * classes
            let correct = x.values[start + Int(label)]
            for j in 0..<classes where j != Int(label) && x.values[start + j] - correct + 1 > 0 {
                dx[start + j] += scale
                dx[start + Int(label)] -= scale
            }
        }
        return Tensor(shape: x.shape, values: dx)
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        ["dx": gradient(inputs, scale: 1 / Double(inputs["x"]!.shape[0]))]
    }

    public func forwardOperations(_ inputs: LayerInputs) -> Double { 4 * Double(inputs["x"]!.count) }

    public var slips: [LayerSlip] {
        [
            LayerSlip(.scaled, "dx is missing the 1/N: the loss is the batch's mean, so each active margin contributes 1/N") {
                inputs, _ in
                inputs["x"]!.shape[0] == 1 ? nil : ["dx": gradient(inputs, scale: 1)]
            }
        ]
    }
}
