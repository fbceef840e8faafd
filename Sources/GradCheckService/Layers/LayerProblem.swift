import GradCheck

/// A layer body made ready to run: the function from the catalog, arguments whose names and
/// shapes fit, and the upstream (the caller's, or drawn).
struct PreparedLayer {
    let function: any LayerFunction
    let type: String
    let inputs: LayerInputs
    let upstream: [Tensor]
    /// The seed the upstream was drawn with, when the caller sent none.
    let drawnSeed: UInt64?

    init(_ request: LayerRequest) throws(RequestError) {
        var hyper = HyperReader(request.hyper, prefix: "\(RequestField.layer.rawValue).")
        let inputsField = "\(RequestField.layerInputs.rawValue)."
        do throws(LayerError) {
            function = try LayerCatalog.make(
                request.type, convention: request.convention, hyper: &hyper, field: "\(RequestField.layer.rawValue).type")
            try LayerCatalog.checkNames(
                request.inputs, of: function, type: request.type, convention: request.convention, prefix: inputsField)
        } catch { throw RequestError(error) }
        type = request.type
        inputs = request.inputs
        let shapes: [[Int]]
        do throws(LayerError) { shapes = try function.outputShapes(inputs) } catch {
            // An argument's error sits under inputs; a hyper-parameter's (dropout's mask) names its own field.
            throw RequestError(function.inputNames.contains(error.field) ? error.nested(under: inputsField) : error)
        }
        try Self.refuseHuge(shapes, of: request.type, field: "\(RequestField.layer.rawValue).type")
        if function.isLoss {
            if request.upstream != nil {
                throw RequestError.invalid(
                    .upstream, "\(type) is a loss: it has no upstream gradient (its backward is the loss's gradient)")
            }
            upstream = []
            drawnSeed = nil
        } else if let sent = request.upstream {
            let names = function.upstreamNames
            for name in sent.keys.sorted() where !names.contains(name) {
                throw RequestError.invalid(
                    "\(RequestField.upstream.rawValue).\(name)",
                    "\(type)'s backward takes no \"\(name)\"; it takes \(names.joined(separator: ", "))")
            }
            var upstream: [Tensor] = []
            for (name, shape) in zip(names, shapes) {
                guard let tensor = sent[name] else {
                    throw RequestError.invalid(
                        "\(RequestField.upstream.rawValue).\(name)", "missing; \(type)'s backward takes \(names.joined(separator: ", "))")
                }
                guard tensor.shape == shape else {
                    throw RequestError.invalid(
                        "\(RequestField.upstream.rawValue).\(name)",
                        "has shape \(tensor.shapeDescription) but the layer's output has shape \(Tensor.describe(shape)) at these inputs")
                }
                upstream.append(tensor)
            }
            self.upstream = upstream
            drawnSeed = nil
        } else {
            upstream = LayerChecker.drawnUpstream(shapes: shapes, seed: request.seed)
            drawnSeed = request.seed
        }
    }

    /// Entries a layer's outputs may have in all: a stride of 1 with a pad of 1e6 describes an
    /// output of terabytes in a body of a few bytes, and it would be allocated before the check's
    /// price is known. 2^26 doubles are 512 MiB; no course layer comes near.
    static let maxOutputEntries = 1 << 26

    static func refuseHuge(_ shapes: [[Int]], of type: String, field: String) throws(RequestError) {
        var total = 0
        for shape in shapes {
            var count = 1
            for side in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: side)
                guard !overflow, product <= maxOutputEntries else {
                    count = maxOutputEntries + 1
                    break
                }
                count = product
            }
            total += count
            guard total <= maxOutputEntries else {
                throw RequestError.invalid(
                    field,
                    "\(type)'s output would have shape \(Tensor.describe(shape)), more than \(maxOutputEntries) entries in all; check the hyper-parameters (stride, pad, pool size) and the inputs' shapes"
                )
            }
        }
    }

    /// The output's name for an upstream name: `dout` -> `out`, `dnext_h` -> `next_h`.
    static func outputName(_ upstream: String) -> String {
        upstream.hasPrefix("d") ? String(upstream.dropFirst()) : upstream
    }

    /// One forward pass's work, and a check's: two passes per coordinate plus the base point.
    var forwardOperations: Double { function.forwardOperations(inputs) }
    var coordinates: Int {
        function.gradientInputs.reduce(0) { $0 + (inputs[$1.input]?.count ?? 0) }
    }
    var bytes: Double { Double(inputs.values.reduce(0) { $0 + $1.count } + upstream.reduce(0) { $0 + $1.count }) * 8 }
}

/// A network body made ready to run.
struct PreparedNetwork {
    let network: LayerNetwork
    /// The operations of one forward pass from layer k to the loss, for each k.
    let suffixOperations: [Double]
    /// The size of each layer's input.
    let inputCounts: [Int]
    /// The shape of each layer's (first) output.
    let outputShapes: [[Int]]

    init(_ request: LayerNetworkRequest) throws(RequestError) {
        var layers: [NetworkLayer] = []
        var input = request.x
        var suffix: [Double] = []
        var counts: [Int] = []
        var outputs: [[Int]] = []
        for (k, spec) in request.layers.enumerated() {
            let field = "\(RequestField.layers.rawValue)[\(k)]."
            var hyper = HyperReader(spec.hyper, prefix: field)
            let function: any LayerFunction
            do throws(LayerError) {
                function = try LayerCatalog.make(spec.type, convention: request.convention, hyper: &hyper, field: field + "type")
            } catch { throw RequestError(error) }
            guard let data = function.dataInput, !function.isLoss else {
                throw RequestError.invalid(field + "type", "\(spec.type) cannot be a layer of a network; the loss goes in \"loss\"")
            }
            var arguments = spec.params
            if arguments[data] != nil {
                throw RequestError.invalid(
                    field + "params.\(data)", "\(data) is the previous layer's output (X for the first layer), not a parameter")
            }
            arguments[data] = input
            do throws(LayerError) {
                try LayerCatalog.checkNames(
                    arguments, of: function, type: spec.type, convention: request.convention, prefix: field + "params.")
            } catch {
                throw RequestError(error)
            }
            let shapes: [[Int]]
            do throws(LayerError) { shapes = try function.outputShapes(arguments) } catch {
                let what = error.field == data ? (k == 0 ? "X" : "its input (layers[\(k - 1)]'s output)") : nil
                if let what { throw RequestError.invalid(field + "type", "\(what): \(error.message)") }
                throw RequestError(function.inputNames.contains(error.field) ? error.nested(under: field + "params.") : error)
            }
            try PreparedLayer.refuseHuge(shapes, of: spec.type, field: field + "type")
            suffix.append(function.forwardOperations(arguments))
            counts.append(input.count)
            layers.append(NetworkLayer(name: spec.name, type: spec.type, function: function, params: spec.params))
            input = Tensor(zeros: shapes[0])
            outputs.append(shapes[0])
        }
        var loss: any LayerFunction
        var lossInputs: LayerInputs = ["y": request.y]
        if let mask = request.mask {
            guard request.loss == .temporalSoftmax else {
                throw RequestError.invalid(.mask, "only used with \"loss\": \"temporal_softmax\"")
            }
            lossInputs["mask"] = mask
        }
        var hyper = HyperReader([:], prefix: "\(RequestField.loss.rawValue).")
        do throws(LayerError) {
            loss = try LayerCatalog.make(request.loss.layerType, convention: .cs231n, hyper: &hyper, field: RequestField.loss.rawValue)
        } catch { throw RequestError(error) }
        var lossArguments = lossInputs
        lossArguments["x"] = input
        if request.loss == .temporalSoftmax, lossArguments["mask"] == nil {
            lossArguments["mask"] = Tensor(shape: request.y.shape, values: Array(repeating: 1, count: request.y.count))
            lossInputs["mask"] = lossArguments["mask"]
        }
        do throws(LayerError) {
            try LayerCatalog.checkNames(lossArguments, of: loss, type: request.loss.rawValue, convention: .cs231n, prefix: "")
            _ = try loss.outputShapes(lossArguments)
        } catch {
            let field = error.field == "x" ? RequestField.loss.rawValue : error.field
            throw RequestError.invalid(field, error.field == "x" ? "the last layer's output: \(error.message)" : error.message)
        }
        suffix.append(loss.forwardOperations(lossArguments))
        for k in stride(from: suffix.count - 2, through: 0, by: -1) { suffix[k] += suffix[k + 1] }
        suffixOperations = suffix
        inputCounts = counts
        outputShapes = outputs
        network = LayerNetwork(layers: layers, loss: loss, lossInputs: lossInputs, reg: request.reg, x: request.x)
    }

    /// A full check's work: two evaluations per coordinate of layer k, each layer k's displaced
    /// forward for that argument (`displacedOperations`: one conv filter, one affine column)
    /// plus a run from layer k + 1 to the loss, with `overhead` operations per layer run beyond
    /// its arithmetic. The later layers are priced as full runs: an upper bound where they update
    /// only the entries that changed (relu, max pool, affine after a conv filter), and the right
    /// price where the change reaches every entry (the default: 8.3e10 operations, about 6 s
    /// measured, 17 s priced, on 2 shared cores).
    func checkOperations(checkedInputs: Set<Int>, overhead: Double) -> Double {
        var total = suffixOperations[0]
        var input = network.x
        for (k, layer) in network.layers.enumerated() {
            var arguments = layer.params
            if let data = layer.function.dataInput { arguments[data] = input }
            var names = layer.checkedParams
            if checkedInputs.contains(k), let data = layer.function.dataInput { names.append(data) }
            let perEvaluation = suffixOperations[k + 1] + overhead * Double(network.layers.count - k + 1)
            for name in names {
                let count = Double(arguments[name]?.count ?? 0)
                total += 2 * count * (layer.function.displacedOperations(arguments, displacing: name) + perEvaluation)
            }
            input = Tensor(zeros: outputShapes[k])
        }
        return total
    }

    var bytes: Double {
        Double(network.layers.reduce(network.x.count) { $0 + $1.params.values.reduce(0) { $0 + $1.count } }) * 8
    }
}
