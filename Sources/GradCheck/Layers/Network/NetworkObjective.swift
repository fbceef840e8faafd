/// The loss of a `LayerNetwork` as a function of its parameters and, for each layer whose input
/// gradient the caller sent, of that layer's input (the intermediates: `pool1.dx`). A displaced
/// coordinate in layer k reruns only layers k..L from the cached input of layer k.
public struct NetworkObjective: CheckedFunction {
    public let network: LayerNetwork
    /// Which layers' input gradients are checked (by layer index).
    public let checkedInputs: Set<Int>
    let cached: [Tensor]
    let base: Double

    /// One checked tensor: layer `layer`'s parameter `param`, or its data input when nil.
    struct Coordinate {
        let layer: Int
        let param: String?
        let gradient: String
        let shape: [Int]
    }

    let order: [Coordinate]

    public init(network: LayerNetwork, checkedInputs: Set<Int>) {
        self.network = network
        self.checkedInputs = checkedInputs
        let (inputs, scores) = network.activations()
        cached = inputs
        base = network.lossValue(scores: scores) + network.regularisation
        var order: [Coordinate] = []
        for (k, layer) in network.layers.enumerated() {
            for param in layer.checkedParams {
                order.append(
                    Coordinate(
                        layer: k, param: param, gradient: "\(layer.name).\(layer.function.gradientName(of: param)!)",
                        shape: layer.params[param]!.shape))
            }
            if checkedInputs.contains(k), let data = layer.inputGradient {
                order.append(Coordinate(layer: k, param: nil, gradient: "\(layer.name).\(data)", shape: inputs[k].shape))
            }
        }
        self.order = order
    }

    public var coordinates: [(gradient: String, shape: [Int])] { order.map { ($0.gradient, $0.shape) } }

    /// The loss's scale: its value and the L2 term (a loss adds up terms of about its own size).
    public func value() -> (f: Double, scale: Double) { (base, abs(base) + network.regularisation) }

    public func makeEvaluator() -> DisplacedValue {
        let network = network
        let cached = cached
        let order = order
        let regularisation = network.regularisation
        var scratch = network.layers.map(\.params)
        return { tensor, entries, delta in
            let coordinate = order[tensor]
            let k = coordinate.layer
            guard let param = coordinate.param else {
                var input = cached[k]
                for i in entries { input.values[i] += delta }
                return network.loss(from: k, input: input) + regularisation
            }
            // This thread's own copy of the parameters, displaced in place and restored exactly.
            var change = 0.0
            var original: [Double] = []
            for i in entries {
                let old = scratch[k][param]!.values[i]
                original.append(old)
                scratch[k][param]!.values[i] = old + delta
                if LayerNetwork.regularised.contains(param) { change += (old + delta) * (old + delta) - old * old }
            }
            let value = network.loss(from: k, input: cached[k], overriding: scratch[k])
            for (i, old) in zip(entries, original) { scratch[k][param]!.values[i] = old }
            return value + regularisation + 0.5 * network.reg * change
        }
    }

    public var reductionLength: Int {
        max(cached.map(\.count).max() ?? 1, network.layers.flatMap { $0.params.values.map(\.count) }.max() ?? 1)
    }

    /// A layer's input checked as an intermediate has the layer's own ties (a max pool's tied
    /// windows at its cached input); parameters have none.
    public func tiedGroups() -> [[[Int]]] {
        order.map { coordinate in
            guard coordinate.param == nil, let data = network.layers[coordinate.layer].function.dataInput else { return [] }
            let layer = network.layers[coordinate.layer]
            return layer.function.tiedGroups(network.arguments(of: coordinate.layer, input: cached[coordinate.layer]))[data] ?? []
        }
    }
}
