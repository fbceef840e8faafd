/// One layer's parameters: W (n_l x n_{l-1}) and b (n_l x 1).
public struct Layer: Sendable, Equatable {
    public var weights: Matrix
    public var bias: Matrix

    public init(weights: Matrix, bias: Matrix) {
        self.weights = weights
        self.bias = bias
    }
}

/// A fully connected network: L layers, one hidden activation, an output layer and L2 weight.
///
/// This initialiser trusts its input; building one from a parameter dictionary, with every shape
/// checked, is `NetworkBuilder`'s job.
public struct Network: Sendable, Equatable {
    public var layers: [Layer]
    public var activation: Activation
    public var output: OutputLayer
    /// L2 regularisation strength: cost += lambd / (2m) * sum of ||W_l||^2.
    public var lambd: Double

    public init(layers: [Layer], activation: Activation = .relu, output: OutputLayer = .sigmoid, lambd: Double = 0) {
        self.layers = layers
        self.activation = activation
        self.output = output
        self.lambd = lambd
    }

    /// Number of layers L.
    public var depth: Int { layers.count }

    /// Total number of scalar parameters.
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.weights.count + $1.bias.count } }

    /// Parameters in the notebook's `dictionary_to_vector` order: W1, b1, W2, b2, ...
    public var parameterIDs: [ParameterID] {
        (1...max(depth, 1)).prefix(depth).flatMap { [ParameterID(layer: $0, kind: .weight), ParameterID(layer: $0, kind: .bias)] }
    }

    public subscript(id: ParameterID) -> Matrix {
        get { id.kind == .weight ? layers[id.layer - 1].weights : layers[id.layer - 1].bias }
        set {
            if id.kind == .weight { layers[id.layer - 1].weights = newValue } else { layers[id.layer - 1].bias = newValue }
        }
    }
}

/// Names one parameter tensor: `W2` is layer 2's weights, `b1` layer 1's bias (layers count from 1).
public struct ParameterID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable { case weight, bias }

    public let layer: Int
    public let kind: Kind

    public init(layer: Int, kind: Kind) {
        self.layer = layer
        self.kind = kind
    }

    /// Parses `W3` / `b3`; nil for anything else.
    public init?(name: String) {
        // On the bytes: every request names its tensors, and Characters cost ten times more.
        let bytes = name.utf8
        guard let first = bytes.first, first == UInt8(ascii: "W") || first == UInt8(ascii: "b"), bytes.count > 1 else { return nil }
        var layer = 0
        for (offset, byte) in bytes.dropFirst().enumerated() {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10, offset > 0 || digit != 0 else { return nil }
            let (times10, overflow) = layer.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times10.addingReportingOverflow(Int(digit))
            guard !overflow, !carry else { return nil }
            layer = sum
        }
        self.init(layer: layer, kind: first == UInt8(ascii: "W") ? .weight : .bias)
    }

    /// `W1`, `b1`, ...
    public var name: String { (kind == .weight ? "W" : "b") + String(layer) }
    /// `dW1`, `db1`, ...
    public var gradientName: String { "d" + name }
    public var description: String { name }

    /// Orders W1 < b1 < W2 < b2 < ..., the notebook's vector order.
    public static func < (lhs: ParameterID, rhs: ParameterID) -> Bool {
        if lhs.layer != rhs.layer { return lhs.layer < rhs.layer }
        return lhs.kind == .weight && rhs.kind == .bias
    }
}
