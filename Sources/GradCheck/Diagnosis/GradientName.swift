/// Every gradient a hand-written backward pass produces, by the names the course uses:
/// `dW2`, `db2` (parameters), `dZ2` (pre-activation), `dA1` (activation; `dA0` is dX).
public struct GradientName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// dZ_l = dLoss / dZ_l
        case preActivation
        /// dW_l
        case weight
        /// db_l
        case bias
        /// dA_l = dLoss / dA_l (dA_0 is the gradient with respect to the inputs X)
        case activation
    }

    public let layer: Int
    public let kind: Kind

    public init(layer: Int, kind: Kind) {
        self.layer = layer
        self.kind = kind
    }

    public init(_ parameter: ParameterID) {
        self.init(layer: parameter.layer, kind: parameter.kind == .weight ? .weight : .bias)
    }

    /// The key a checked tensor is reported under: the parameter's (`W1` for dW1, `b2` for
    /// db2), or the gradient's own name for an intermediate (`dZ2`).
    public var reportKey: String { parameter?.name ?? name }

    /// `dW2`, `db1`, `dZ3`, `dA0`; nil for anything else (layers of dW, db and dZ count from 1).
    public init?(_ text: String) {
        guard text.hasPrefix("d"), text.count >= 3 else { return nil }
        let letter = text[text.index(after: text.startIndex)]
        let digits = text.dropFirst(2)
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits == "0" || digits.first != "0",
            let layer = Int(digits)
        else { return nil }
        switch letter {
        case "W": kind = .weight
        case "b": kind = .bias
        case "Z": kind = .preActivation
        case "A": kind = .activation
        default: return nil
        }
        guard layer >= 1 || kind == .activation else { return nil }
        self.layer = layer
    }

    public var name: String {
        switch kind {
        case .weight: "dW\(layer)"
        case .bias: "db\(layer)"
        case .preActivation: "dZ\(layer)"
        case .activation: "dA\(layer)"
        }
    }

    public var description: String { name }

    /// The parameter this is the gradient of (nil for dZ and dA).
    public var parameter: ParameterID? {
        switch kind {
        case .weight: ParameterID(layer: layer, kind: .weight)
        case .bias: ParameterID(layer: layer, kind: .bias)
        case .preActivation, .activation: nil
        }
    }

    public var isIntermediate: Bool { kind == .preActivation || kind == .activation }

    /// The order a backward pass computes them in: from layer L down, dA_l before dZ_l (dA_L for
    /// a sigmoid output), then dW_l, db_l, and dA_{l-1} from them.
    public static func < (lhs: GradientName, rhs: GradientName) -> Bool {
        lhs.computedOrder < rhs.computedOrder
    }

    private var computedOrder: (Int, Int) {
        switch kind {
        case .activation: return (-(layer + 1), 3)  // dA_{l-1} comes right after layer l's dW, db
        case .preActivation: return (-layer, 0)
        case .weight: return (-layer, 1)
        case .bias: return (-layer, 2)
        }
    }
}

/// The intermediate gradients a caller sent (any of dZ_l, dA_l), keyed by name.
public typealias IntermediateGradients = [GradientName: Matrix]
