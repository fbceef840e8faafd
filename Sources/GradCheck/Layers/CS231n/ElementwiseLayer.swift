import Foundation

/// CS231n's `relu_forward`/`relu_backward` and the other one-argument activations: out = g(x)
/// entry by entry, so dx = dout * g'(x).
///
/// ReLU's kink at 0 (and leaky ReLU's) is a subgradient point: the checker accepts any dx between
/// the one-sided quotients there; the backward answers g'(0) = 0, as CS231n's `x > 0` mask does.
public struct ElementwiseLayer: LayerFunction {
    public enum Function: Sendable, Equatable {
        case relu
        case leakyReLU(alpha: Double)
        case tanh
        case sigmoid
    }

    public let function: Function

    public init(_ function: Function) { self.function = function }

    public var inputNames: [String] { ["x"] }
    public var gradientInputs: [(gradient: String, input: String)] { [("dx", "x")] }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] { [inputs["x"]!.shape] }

    func value(_ x: Double) -> Double {
        switch function {
        case .relu: return x > 0 ? x : 0
        case let .leakyReLU(alpha): return x > 0 ? x : alpha * x
        case .tanh: return Foundation.tanh(x)
        case .sigmoid: return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
        }
    }

    /// g'(x), written from g's output where the course does (tanh: 1 - out^2; sigmoid: s(1 - s)).
    func derivative(_ x: Double) -> Double {
        switch function {
        case .relu: return x > 0 ? 1 : 0
        case let .leakyReLU(alpha): return x > 0 ? 1 : alpha
        case .tanh:
            let t = Foundation.tanh(x)
            return 1 - t * t
        case .sigmoid:
            let s = value(x)
            return s * (1 - s)
        }
    }

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        let x = inputs["x"]!
        return [Tensor(shape: x.shape, values: x.values.map(value))]
    }

    /// Entry by entry: only the displaced entries' outputs change (bit for bit `forward`'s).
    public func forward(
        _ inputs: LayerInputs, displacing name: String, entries: [Int], by deltas: [Double], from cached: [Tensor]
    ) -> DisplacedOutput {
        let x = inputs["x"]!.values
        var out = cached[0]
        for i in entries { out.values[i] = value(x[i]) }
        return DisplacedOutput(out, changedAt: entries, from: cached[0])
    }

    public func displacedOperations(_ inputs: LayerInputs, displacing name: String) -> Double {
        Double(inputs["x"]!.count) + 4
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        let x = inputs["x"]!
        return ["dx": Tensor(shape: x.shape, values: zip(upstream[0].values, x.values).map { $0 * derivative($1) })]
    }

    public var slips: [LayerSlip] {
        switch function {
        case .relu, .leakyReLU:
            return [
                LayerSlip(.wrongActivationDerivative, "dx is the upstream masked by its own sign (np.maximum(0, dout)), not by x > 0") {
                    inputs, upstream in
                    ["dx": Tensor(shape: inputs["x"]!.shape, values: upstream[0].values.map { max(0, $0) })]
                }
            ]
        case .tanh:
            return [
                LayerSlip(.wrongActivationDerivative, "dx uses 1 - x^2 (the pre-activation) where tanh' is 1 - tanh(x)^2") {
                    inputs, upstream in
                    [
                        "dx": Tensor(
                            shape: inputs["x"]!.shape, values: zip(upstream[0].values, inputs["x"]!.values).map { $0 * (1 - $1 * $1) })
                    ]
                }
            ]
        case .sigmoid:
            return [
                LayerSlip(
                    .wrongActivationDerivative, "dx uses x(1 - x) (the pre-activation) where sigmoid' is s(1 - s) with s = sigmoid(x)"
                ) {
                    inputs, upstream in
                    [
                        "dx": Tensor(
                            shape: inputs["x"]!.shape, values: zip(upstream[0].values, inputs["x"]!.values).map { $0 * $1 * (1 - $1) })
                    ]
                }
            ]
        }
    }
}
