import Foundation

/// Binary cross-entropy on logits, averaged over the N examples (the network check's
/// `"loss": "sigmoid"`): x (N, ...) logits, y of x's shape with labels in [0, 1].
///
/// Derivation: with s = sigmoid(x), loss = -(1/N) sum [y log s + (1 - y) log(1 - s)], and
/// d loss / dx = (s - y) / N. The loss is evaluated stably as (1/N) sum [max(x, 0) - x y +
/// log(1 + exp(-|x|))], so a saturated logit does not round log(1 - s) to log(0).
public struct SigmoidLossLayer: LayerFunction {
    public init() {}

    public var inputNames: [String] { ["x", "y"] }
    public var upstreamNames: [String] { [] }
    public var gradientInputs: [(gradient: String, input: String)] { [("dx", "x")] }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        let x = inputs["x"]!
        let y = inputs["y"]!
        guard x.rank >= 1, y.count == x.count else {
            throw LayerError.shapes("y", y.shape, expected: x.shape, because: "a sigmoid loss over scores \(x.shapeDescription)")
        }
        if let bad = y.values.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            throw LayerError("y", "label \(y.values[bad]) at \(y.index(ofFlat: bad)) is outside [0, 1]")
        }
        return [[]]
    }

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        let x = inputs["x"]!
        let y = inputs["y"]!.values
        var sum = CompensatedSum()
        for (i, v) in x.values.enumerated() {
            sum.add(max(v, 0) - v * y[i] + log1p(exp(-abs(v))))
        }
        return [Tensor(scalar: sum.value / Double(max(x.shape[0], 1)))]
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        let x = inputs["x"]!
        let y = inputs["y"]!.values
        let n = Double(max(x.shape[0], 1))
        let dx = x.values.enumerated().map { i, v in
            let s = v >= 0 ? 1 / (1 + exp(-v)) : exp(v) / (1 + exp(v))
            return (s - y[i]) / n
        }
        return ["dx": Tensor(shape: x.shape, values: dx)]
    }

    public var slips: [LayerSlip] {
        [
            LayerSlip(.scaled, "dx is missing the 1/N of the mean over the batch") { inputs, upstream in
                let n = Double(max(inputs["x"]!.shape[0], 1))
                return ["dx": n * backward(inputs, upstream: upstream)["dx"]!]
            }
        ]
    }
}
