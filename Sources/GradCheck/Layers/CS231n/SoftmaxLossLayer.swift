import Foundation

/// CS231n's `softmax_loss(x, y)`: x (N, C) scores, y (N) integer labels; the loss is the mean
/// cross-entropy -(1/N) sum_i log softmax(x_i)[y_i], a scalar; the backward is dx.
///
/// Derivation: with p_i = softmax(x_i), d(-log p_i[y_i]) / dx_i = p_i - onehot(y_i), so
/// dx = (p - onehot(y)) / N.
public struct SoftmaxLossLayer: ClassificationLoss {
    public init() {}

    /// Each row's softmax (rows of `classes` entries) and the summed -log p[label] over rows.
    static func softmax(_ x: [Double], labels: [Double], classes: Int) -> (p: [Double], loss: Double) {
        var p = x
        var loss = 0.0
        for (row, label) in labels.enumerated() {
            let start = row * classes
            var top = -Double.infinity
            for k in start..<(start + classes) { top = max(top, x[k]) }
            var sum = 0.0
            for k in start..<(start + classes) {
                p[k] = exp(x[k] - top)
                sum += p[k]
            }
            for k in start..<(start + classes) { p[k] /= sum }
            loss += log(sum) - (x[start + Int(label)] - top)
        }
        return (p, loss)
    }

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        let x = inputs["x"]!
        let loss = Self.softmax(x.values, labels: inputs["y"]!.values, classes: x.shape[1]).loss
        return [Tensor(scalar: loss / Double(x.shape[0]))]
    }

    /// (p - onehot(y)) * scale.
    func gradient(_ inputs: LayerInputs, scale: Double) -> Tensor {
        let x = inputs["x"]!
        let classes = x.shape[1]
        let labels = inputs["y"]!.values
        var p = Self.softmax(x.values, labels: labels, classes: classes).p
        for (row, label) in labels.enumerated() { p[row * classes + Int(label)] -= 1 }
        return Tensor(shape: x.shape, values: p.map { $0 * scale })
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        ["dx": gradient(inputs, scale: 1 / Double(inputs["x"]!.shape[0]))]
    }

    public func forwardOperations(_ inputs: LayerInputs) -> Double { 20 * Double(inputs["x"]!.count) }

    public var slips: [LayerSlip] {
        [
            LayerSlip(.scaled, "dx is missing the 1/N: the loss is the batch's mean, so its gradient is (p - onehot(y)) / N") {
                inputs, _ in
                inputs["x"]!.shape[0] == 1 ? nil : ["dx": gradient(inputs, scale: 1)]
            }
        ]
    }
}
