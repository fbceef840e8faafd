/// The loss of a `LayerNetwork` as a function of its parameters and, for each layer whose input
/// gradient the caller sent, of that layer's input (the intermediates: `pool1.dx`). A displaced
/// coordinate in layer k reruns only layers k..L from the cached input of layer k.
public struct NetworkObjective: CheckedFunction {
    public let network: LayerNetwork
    /// Which layers' input gradients are checked (by layer index).
    public let checkedInputs: Set<Int>
    /// The input of every layer (`cached[k]` feeds layer k), then the scores the loss reads.
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
        cached = inputs + [scores]
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

    /// Each thread keeps every layer's arguments (parameters and cached input) and the loss's in
    /// one dictionary each, displaced in place and restored exactly, so an evaluation copies no
    /// dictionary. Layer k answers its displaced output from its cached one
    /// (`forward(_:displacing:...)`: one conv filter, one affine column), and each later layer
    /// does the same from the entries of its input that changed while they are known (relu on
    /// them, max pool on their windows, affine adding their rows), rerunning otherwise.
    public func makeEvaluator() -> DisplacedValue {
        let network = network
        let cached = cached
        let order = order
        let regularisation = network.regularisation
        let layers = network.layers
        let outputs = layers.indices.map { [cached[$0 + 1]] }
        let names = order.map { $0.param ?? layers[$0.layer].function.dataInput! }
        let regularised = order.map { $0.param.map(LayerNetwork.regularised.contains) ?? false }
        var arguments = layers.indices.map { network.arguments(of: $0, input: cached[$0]) }
        var lossArguments = network.lossInputs
        var originals: [Double] = []
        var deltas: [Double] = []
        return { tensor, entries, delta in
            let k = order[tensor].layer
            let name = names[tensor]
            var change = 0.0
            originals.removeAll(keepingCapacity: true)
            deltas.removeAll(keepingCapacity: true)
            for i in entries {
                let old = arguments[k][name]!.values[i]
                let new = old + delta
                originals.append(old)
                deltas.append(new - old)
                arguments[k][name]!.values[i] = new
                if regularised[tensor] { change += new * new - old * old }
            }
            var step = layers[k].function.forward(arguments[k], displacing: name, entries: entries, by: deltas, from: outputs[k])
            for (i, old) in zip(entries, originals) { arguments[k][name]!.values[i] = old }
            for j in (k + 1)..<layers.count {
                guard let data = layers[j].function.dataInput else { continue }
                arguments[j][data] = step.outputs[0]
                if let changed = step.changed {
                    step = layers[j].function.forward(arguments[j], displacing: data, entries: changed, by: step.deltas, from: outputs[j])
                } else {
                    step = DisplacedOutput(outputs: layers[j].function.forward(arguments[j]))
                }
                arguments[j][data] = cached[j]
            }
            let a = step.outputs[0]
            lossArguments["x"] = a
            return network.loss.forward(lossArguments)[0].values[0] + regularisation + 0.5 * network.reg * change
        }
    }

    public func coordinateValue(_ tensor: Int, _ entry: Int) -> Double {
        let coordinate = order[tensor]
        guard let param = coordinate.param else { return cached[coordinate.layer].values[entry] }
        return network.layers[coordinate.layer].params[param]!.values[entry]
    }

    public var reductionLength: Int {
        max(cached.map(\.count).max() ?? 1, network.layers.flatMap { $0.params.values.map(\.count) }.max() ?? 1)
    }

    /// A layer's input checked as an intermediate has the layer's own ties (a max pool's tied
    /// windows at its cached input); parameters have none.
    public func tiedGroups(within resolution: Double) -> [[[Int]]] {
        order.map { coordinate in
            guard coordinate.param == nil, let data = network.layers[coordinate.layer].function.dataInput else { return [] }
            let layer = network.layers[coordinate.layer]
            let arguments = network.arguments(of: coordinate.layer, input: cached[coordinate.layer])
            return layer.function.tiedGroups(arguments, within: resolution)[data] ?? []
        }
    }
}
