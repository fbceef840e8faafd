import Foundation

/// CS231n's `temporal_softmax_loss(x, y, mask)`: x (N, T, V) scores, y (N, T) labels, mask (N, T)
/// 0/1 (which steps count); loss = -(1/N) sum_{n, t} mask[n, t] log softmax(x[n, t])[y[n, t]]
/// (summed over the steps, divided by N only, as CS231n defines it); the backward is dx.
///
/// Derivation: as for softmax_loss at each step, dx[n, t] = mask[n, t] (p[n, t] - onehot) / N.
public struct TemporalSoftmaxLossLayer: LayerFunction {
    public init() {}

    public var inputNames: [String] { ["x", "y", "mask"] }
    public var integerInputs: Set<String> { ["y", "mask"] }
    public var dataInput: String? { "x" }
    public var upstreamNames: [String] { [] }
    public var gradientInputs: [(gradient: String, input: String)] { [("dx", "x")] }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        let x = inputs["x"]!
        guard x.rank == 3 else { throw LayerError("x", "has shape \(x.shapeDescription); expected (N, T, V) scores") }
        let steps = [x.shape[0], x.shape[1]]
        try LossLabels.check("y", inputs["y"]!, shape: steps, classes: x.shape[2], because: "x \(x.shapeDescription) (N, T, V)")
        let mask = inputs["mask"]!
        guard mask.shape == steps else {
            throw LayerError.shapes("mask", mask.shape, expected: steps, because: "x \(x.shapeDescription) (N, T, V)")
        }
        if let bad = mask.values.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw LayerError(
                "mask", "entry \(mask.index(ofFlat: bad)) is \(mask.values[bad]): the mask holds 0 (skip the step) or 1 (count it)")
        }
        return [[]]
    }

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        let x = inputs["x"]!
        let vocabulary = x.shape[2]
        let labels = inputs["y"]!.values
        let mask = inputs["mask"]!.values
        var loss = 0.0
        for step in labels.indices where mask[step] != 0 {
            let start = step * vocabulary
            var top = -Double.infinity
            for k in start..<(start + vocabulary) { top = max(top, x.values[k]) }
            var sum = 0.0
            for k in start..<(start + vocabulary) { sum += exp(x.values[k] - top) }
            loss += log(sum) - (x.values[start + Int(labels[step])] - top)
        }
        return [Tensor(scalar: loss / Double(x.shape[0]))]
    }

    /// (p - onehot(y)) * scale at each step, times the mask unless `ignoringMask`.
    func gradient(_ inputs: LayerInputs, scale: Double, ignoringMask: Bool = false) -> Tensor {
        let x = inputs["x"]!
        let vocabulary = x.shape[2]
        let labels = inputs["y"]!.values
        let mask = inputs["mask"]!.values
        var dx = SoftmaxLossLayer.softmax(x.values, labels: labels, classes: vocabulary).p
        for step in labels.indices {
            let start = step * vocabulary
            dx[start + Int(labels[step])] -= 1
            let weight = ignoringMask ? scale : mask[step] * scale
            for k in start..<(start + vocabulary) { dx[k] *= weight }
        }
        return Tensor(shape: x.shape, values: dx)
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        ["dx": gradient(inputs, scale: 1 / Double(inputs["x"]!.shape[0]))]
    }

    public func forwardOperations(_ inputs: LayerInputs) -> Double { 20 * Double(inputs["x"]!.count) }

    public var slips: [LayerSlip] {
        [
            LayerSlip(.maskIgnored, "dx ignores the mask: the masked-out steps (mask 0) get a gradient too") { inputs, _ in
                inputs["mask"]!.values.allSatisfy { $0 == 1 }
                    ? nil : ["dx": gradient(inputs, scale: 1 / Double(inputs["x"]!.shape[0]), ignoringMask: true)]
            },
            LayerSlip(.scaled, "dx is missing the 1/N: the loss is divided by the batch size N, so its gradient is too") { inputs, _ in
                inputs["x"]!.shape[0] == 1 ? nil : ["dx": gradient(inputs, scale: 1)]
            },
            LayerSlip(.scaled, "dx is divided by N T (a mean over every step) where CS231n's loss divides by N only") { inputs, _ in
                let x = inputs["x"]!
                return x.shape[1] == 1 ? nil : ["dx": gradient(inputs, scale: 1 / Double(x.shape[0] * x.shape[1]))]
            },
            LayerSlip(.scaled, "dx is divided by the number of counted steps (mask.sum()) where CS231n's loss divides by N") { inputs, _ in
                let counted = inputs["mask"]!.values.reduce(0, +)
                let n = Double(inputs["x"]!.shape[0])
                return counted == n || counted == 0 ? nil : ["dx": gradient(inputs, scale: 1 / counted)]
            },
        ]
    }
}
