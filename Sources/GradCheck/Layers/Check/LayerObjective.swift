/// The function a layer check differentiates: f(inputs) = sum_k <upstream_k, layer(inputs)_k>,
/// or the loss itself for a loss layer. CS231n's `eval_numerical_gradient_array(f, x, dout)`
/// checks the same function one input at a time.
public struct LayerObjective: CheckedFunction {
    public let layer: any LayerFunction
    public let inputs: LayerInputs
    public let upstream: [Tensor]

    public init(layer: any LayerFunction, inputs: LayerInputs, upstream: [Tensor]) {
        self.layer = layer
        self.inputs = inputs
        self.upstream = upstream
    }

    /// The perturbed inputs (every non-integer argument that has a gradient), in argument order.
    var checkedInputs: [String] { layer.realInputs.filter { layer.gradientName(of: $0) != nil } }

    public var coordinates: [(gradient: String, shape: [Int])] {
        checkedInputs.map { (layer.gradientName(of: $0)!, inputs[$0]!.shape) }
    }

    /// f and its absolute scale for given inputs.
    func evaluate(_ inputs: LayerInputs) -> (f: Double, scale: Double) {
        let outputs = layer.forward(inputs)
        if layer.isLoss { return (outputs[0].values[0], abs(outputs[0].values[0])) }
        var sum = CompensatedSum()
        var scale = 0.0
        for (output, weights) in zip(outputs, upstream) {
            for (o, w) in zip(output.values, weights.values) {
                sum.add(o * w)
                scale += abs(o * w)
            }
        }
        return (sum.value, scale)
    }

    public func value() -> (f: Double, scale: Double) { evaluate(inputs) }

    public func makeEvaluator() -> DisplacedValue {
        var scratch = inputs
        let names = checkedInputs
        return { tensor, entries, delta in
            let name = names[tensor]
            let original = entries.map { scratch[name]!.values[$0] }
            for i in entries { scratch[name]!.values[i] += delta }
            let f = evaluate(scratch).f
            for (i, value) in zip(entries, original) { scratch[name]!.values[i] = value }
            return f
        }
    }

    public func coordinateValue(_ tensor: Int, _ entry: Int) -> Double { inputs[checkedInputs[tensor]]!.values[entry] }

    public var reductionLength: Int {
        max(inputs.values.map(\.count).max() ?? 1, upstream.map(\.count).max() ?? 1)
    }

    public func tiedGroups(within resolution: Double) -> [[[Int]]] {
        let groups = layer.tiedGroups(inputs, within: resolution)
        return checkedInputs.map { groups[$0] ?? [] }
    }
}
