/// One named layer of a network check: its function, and its parameters (every argument but the
/// one the previous layer feeds).
public struct NetworkLayer: Sendable {
    public let name: String
    public let type: String
    public let function: any LayerFunction
    public let params: LayerInputs

    public init(name: String, type: String, function: any LayerFunction, params: LayerInputs) {
        self.name = name
        self.type = type
        self.function = function
        self.params = params
    }

    /// The name of the gradient at the layer's data input (`dx`; `dA_prev` in dlai's conv).
    public var inputGradient: String? { function.dataInput.flatMap(function.gradientName(of:)) }

    /// The parameters that have a gradient, in argument order.
    public var checkedParams: [String] {
        function.realInputs.filter { $0 != function.dataInput && function.gradientName(of: $0) != nil }
    }
}

/// The losses a network check ends in, by the request's `loss` name, and the loss layer each is.
public enum NetworkLoss: String, Sendable, CaseIterable {
    case softmax, svm, sigmoid
    case temporalSoftmax = "temporal_softmax"

    /// The catalog's (CS231n) layer type of this loss.
    public var layerType: String {
        switch self {
        case .softmax: "softmax_loss"
        case .svm: "svm_loss"
        case .sigmoid: "sigmoid_loss"
        case .temporalSoftmax: "temporal_softmax_loss"
        }
    }
}

/// A network check's problem: named layers in order, a loss over the last layer's output, and
/// CS231n's L2 term 0.5 * reg * sum(w**2) over every parameter named `w` or `W`.
///
/// The loss of the parameters, L(params) = loss(layer_L(... layer_1(X))) + 0.5 reg sum w^2, is the
/// function checked; its gradient is what the caller's backward returns, layer by layer.
public struct LayerNetwork: Sendable {
    public let layers: [NetworkLayer]
    public let loss: any LayerFunction
    /// The loss layer's arguments besides the scores: `y`, and `mask` for the temporal softmax.
    public let lossInputs: LayerInputs
    public let reg: Double
    public let x: Tensor

    /// The parameter names the L2 term covers.
    public static let regularised: Set<String> = ["w", "W"]

    public init(layers: [NetworkLayer], loss: any LayerFunction, lossInputs: LayerInputs, reg: Double, x: Tensor) {
        self.layers = layers
        self.loss = loss
        self.lossInputs = lossInputs
        self.reg = reg
        self.x = x
    }

    /// Every layer's arguments (its parameters with `input` as its data input).
    func arguments(of k: Int, input: Tensor) -> LayerInputs {
        var arguments = layers[k].params
        if let data = layers[k].function.dataInput { arguments[data] = input }
        return arguments
    }

    /// The input of every layer (`activations[k]` feeds layer k) and the scores the loss reads.
    public func activations() -> (inputs: [Tensor], scores: Tensor) {
        var inputs: [Tensor] = []
        var a = x
        for k in layers.indices {
            inputs.append(a)
            a = layers[k].function.forward(arguments(of: k, input: a))[0]
        }
        return (inputs, a)
    }

    /// The loss from layer `k` on, given its input.
    func loss(from k: Int, input: Tensor, overriding params: LayerInputs? = nil) -> Double {
        var a = input
        for j in k..<layers.count {
            var arguments = j == k && params != nil ? params! : layers[j].params
            if let data = layers[j].function.dataInput { arguments[data] = a }
            a = layers[j].function.forward(arguments)[0]
        }
        return lossValue(scores: a)
    }

    public func lossValue(scores: Tensor) -> Double {
        var arguments = lossInputs
        arguments["x"] = scores
        return loss.forward(arguments)[0].values[0]
    }

    /// 0.5 * reg * sum(w^2) over the regularised parameters.
    public var regularisation: Double {
        guard reg != 0 else { return 0 }
        var sum = CompensatedSum()
        for layer in layers {
            for (name, tensor) in layer.params where Self.regularised.contains(name) {
                for v in tensor.values { sum.add(v * v) }
            }
        }
        return 0.5 * reg * sum.value
    }

    /// The service's own backward: by layer name, the gradients of every parameter (with the L2
    /// term) and of each layer's data input; and the upstream each layer received.
    public func backward() -> (gradients: [String: [String: Tensor]], upstream: [[Tensor]]) {
        let (inputs, scores) = activations()
        var lossArguments = lossInputs
        lossArguments["x"] = scores
        var dout = loss.backward(lossArguments, upstream: [])["dx"]!
        var gradients: [String: [String: Tensor]] = [:]
        var upstream = Array(repeating: [Tensor](), count: layers.count)
        for k in layers.indices.reversed() {
            let function = layers[k].function
            let arguments = arguments(of: k, input: inputs[k])
            let shapes = (try? function.outputShapes(arguments)) ?? [dout.shape]
            var flowing = [dout]
            for shape in shapes.dropFirst() { flowing.append(Tensor(zeros: shape)) }
            upstream[k] = flowing
            var layerGradients = function.backward(arguments, upstream: flowing)
            for name in layers[k].params.keys where Self.regularised.contains(name) && reg != 0 {
                if let g = function.gradientName(of: name), let value = layerGradients[g] {
                    layerGradients[g] = value + reg * layers[k].params[name]!
                }
            }
            gradients[layers[k].name] = layerGradients
            guard let data = layers[k].inputGradient, let next = layerGradients[data] else { break }
            dout = next
        }
        return (gradients, upstream)
    }
}
