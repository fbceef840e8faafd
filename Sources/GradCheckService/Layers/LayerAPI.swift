import GradCheck
import GradCheckReport
import JSON

/// The three endpoints for the two layer bodies: priced and held to the budgets like the
/// notebook body's, answering JSON (the check's verdicts, root causes and notes).
extension GradCheckAPI {
    /// `/forward`: the layer's outputs by name (`out`; `next_h`, `next_c`), or a loss's value;
    /// for a network, its loss (with the L2 term) and the last layer's scores.
    func layerForward(_ request: ServiceRequest, hold: MemoryHold) throws(APIFailure) -> APIResponse {
        switch request {
        case let .layer(body):
            let layer = try prepared(body, passes: 1, hold: hold)
            let outputs = layer.function.forward(layer.inputs)
            return .json(
                try Self.encodedAnswer { writer throws(JSONWriteError) in
                    writer.beginObject()
                    if layer.function.isLoss {
                        try writer.member("loss", number: outputs[0].values[0])
                    } else {
                        writer.key("outputs")
                        writer.beginObject()
                        for (name, output) in zip(layer.function.upstreamNames, outputs) {
                            writer.key(PreparedLayer.outputName(name))
                            try writer.tensor(output)
                        }
                        writer.endObject()
                    }
                    writer.endObject()
                })
        case let .layerNetwork(body):
            let network = try prepared(body, passes: 1, hold: hold).network
            let (_, scores) = network.activations()
            return .json(
                try Self.encodedAnswer { writer throws(JSONWriteError) in
                    writer.beginObject()
                    try writer.member("loss", number: network.lossValue(scores: scores) + network.regularisation)
                    writer.key("scores")
                    try writer.tensor(scores)
                    writer.endObject()
                })
        default:
            preconditionFailure("layerForward takes layer bodies only")
        }
    }

    /// `/backward`: exactly what the caller's backward must return (by gradient name; by layer
    /// name then gradient name for a network), and the upstream used when it was drawn.
    func layerBackward(_ request: ServiceRequest, hold: MemoryHold) throws(APIFailure) -> APIResponse {
        switch request {
        case let .layer(body):
            let layer = try prepared(body, passes: 3, hold: hold)
            let gradients = layer.function.backward(layer.inputs, upstream: layer.upstream)
            return .json(
                try Self.encodedAnswer { writer throws(JSONWriteError) in
                    writer.beginObject()
                    writer.key("gradients")
                    try writer.tensors(gradients, order: layer.function.gradientInputs.map(\.gradient))
                    try LayerReportEncoder.writeUpstream(layer, to: &writer)
                    writer.endObject()
                })
        case let .layerNetwork(body):
            let network = try prepared(body, passes: 3, hold: hold).network
            let (_, scores) = network.activations()
            let gradients = network.backward().gradients
            return .json(
                try Self.encodedAnswer { writer throws(JSONWriteError) in
                    writer.beginObject()
                    try writer.member("loss", number: network.lossValue(scores: scores) + network.regularisation)
                    writer.key("gradients")
                    writer.beginObject()
                    for layer in network.layers {
                        guard let own = gradients[layer.name] else { continue }
                        writer.key(layer.name)
                        try writer.tensors(own, order: layer.function.gradientInputs.map(\.gradient))
                    }
                    writer.endObject()
                    writer.endObject()
                })
        default:
            preconditionFailure("layerBackward takes layer bodies only")
        }
    }

    /// The one preparation of a layer or network-of-layers `/gradcheck` (see `prepare`): the
    /// body made ready, the caller's gradients' names and shapes checked, the check priced and
    /// its memory reserved; every refusal is thrown here, before any status is sent. What is
    /// left (`LayerWork.run`) checks and answers in `format`.
    func prepareLayerCheck(_ request: ServiceRequest, format: ReportFormat, hold: MemoryHold) throws(APIFailure) -> LayerWork {
        switch request {
        case let .layer(body):
            let layer = try prepared(body, passes: 0, hold: hold)
            if let gradients = body.gradients {
                do throws(LayerError) {
                    try LayerChecker.validate(
                        gradients, layer: layer.function, type: layer.type, inputs: layer.inputs, upstream: layer.upstream,
                        prefix: "\(RequestField.gradients.rawValue).")
                } catch { throw .request(RequestError(error)) }
            }
            let operations = Double(2 * layer.coordinates + 1) * (layer.forwardOperations + Self.evaluationOverhead)
            try admit(operations, field: .layerInputs)
            try hold.reserve(layer.bytes * Double(cores + 2) + Double(layer.coordinates) * 64, for: "the check's copies and results")
            let title = "layer \(body.type) (\(body.convention.rawValue))"
            return LayerWork { [self] isCancelled, progress throws(APIFailure) in
                let stop = layerStop(operations, isCancelled: isCancelled, progress: progress)
                var report: LayerCheckReport
                do throws(GradientChecker.CheckFailure) {
                    report = try LayerChecker.check(
                        layer: layer.function, inputs: layer.inputs, upstream: layer.upstream, gradients: body.gradients,
                        epsilon: body.epsilon, threshold: body.threshold, precision: body.precision, stop: stop, cores: cores)
                } catch { throw .check(error) }
                report.drawnUpstreamSeed = layer.drawnSeed
                return try answer(report, mode: "layer", format: format, title: title) { writer throws(JSONWriteError) in
                    writer.member("layer", string: body.type)
                    writer.member("convention", string: body.convention.rawValue)
                    try LayerReportEncoder.writeUpstream(layer, to: &writer)
                }
            }
        case let .layerNetwork(body):
            let prepared = try prepared(body, passes: 0, hold: hold)
            let network = prepared.network
            let checkedInputs = try checkedInputs(body.gradients, of: prepared)
            let operations = prepared.checkOperations(checkedInputs: checkedInputs, overhead: Self.evaluationOverhead)
            try admit(operations, field: .layers)
            try hold.reserve(prepared.bytes * Double(cores + 3), for: "the check's copies, activations and results")
            let title = "network of \(body.layers.count) layers, \(body.loss.rawValue) loss (\(body.convention.rawValue))"
            return LayerWork { [self] isCancelled, progress throws(APIFailure) in
                let stop = layerStop(operations, isCancelled: isCancelled, progress: progress)
                let report: LayerCheckReport
                do throws(GradientChecker.CheckFailure) {
                    report = try LayerNetworkChecker.check(
                        network, gradients: body.gradients, epsilon: body.epsilon, threshold: body.threshold, precision: body.precision,
                        stop: stop, cores: cores)
                } catch { throw .check(error) }
                return try answer(report, mode: "network", format: format, title: title) { writer throws(JSONWriteError) in
                    writer.member("convention", string: body.convention.rawValue)
                    writer.member("loss", string: body.loss.rawValue)
                }
            }
        default:
            preconditionFailure("prepareLayerCheck takes layer bodies only")
        }
    }

    /// The layers whose input gradient the caller sent (checked as intermediates), after every
    /// sent gradient's name and shape is checked against its layer.
    private func checkedInputs(_ gradients: [String: [String: Tensor]]?, of prepared: PreparedNetwork) throws(APIFailure) -> Set<Int> {
        guard let gradients else { return [] }
        let network = prepared.network
        var checkedInputs: Set<Int> = []
        for (k, layer) in network.layers.enumerated() {
            guard let sent = gradients[layer.name] else { continue }
            let names = layer.function.gradientInputs.map(\.gradient)
            for (name, tensor) in sent {
                let field = "\(RequestField.gradients.rawValue).\(layer.name).\(name)"
                guard let input = layer.function.gradientInputs.first(where: { $0.gradient == name })?.input else {
                    throw .request(
                        .invalid(field, "\(layer.type)'s backward returns no \"\(name)\"; it returns \(names.joined(separator: ", "))"))
                }
                if input == layer.function.dataInput {
                    checkedInputs.insert(k)
                } else if let expected = layer.params[input]?.shape, tensor.shape != expected {
                    throw .request(
                        .invalid(field, "has shape \(tensor.shapeDescription) but \(input) has shape \(Tensor.describe(expected))"))
                }
            }
        }
        let inputs = network.activations().inputs
        for k in checkedInputs {
            let layer = network.layers[k]
            let name = layer.inputGradient!
            if let tensor = gradients[layer.name]?[name], tensor.shape != inputs[k].shape {
                throw .request(
                    .invalid(
                        "\(RequestField.gradients.rawValue).\(layer.name).\(name)",
                        "has shape \(tensor.shapeDescription) but \(layer.name)'s input has shape \(inputs[k].shapeDescription)"))
            }
        }
        return checkedInputs
    }

    /// A layer or network check's answer in `format`, counted in the metrics.
    private func answer(
        _ report: LayerCheckReport, mode: String, format: ReportFormat, title: String,
        describe: (inout JSONWriter) throws(JSONWriteError) -> Void
    ) throws(APIFailure) -> APIResponse {
        metrics?.recordCheck(
            passed: report.passed, method: DifferenceMethod.central.rawValue, mode: mode, costEvaluations: report.costEvaluations)
        switch format {
        case .json, .ndjson:
            return .json(
                try Self.encodedAnswer { writer throws(JSONWriteError) in try LayerReportEncoder.write(report, describe, to: &writer) })
        case .html: return .report(LayerReportHTML.document(report, title: title), format: .html)
        case .svg: return .report(LayerReportSVG.document(report), format: .svg)
        case .gradescope:
            return .report(
                try Self.encodedAnswer { writer throws(JSONWriteError) in try LayerGradescopeEncoder.write(report, to: &writer) },
                format: .gradescope)
        }
    }

    private func prepared(_ body: LayerRequest, passes: Double, hold: MemoryHold) throws(APIFailure) -> PreparedLayer {
        let layer: PreparedLayer
        do throws(RequestError) { layer = try PreparedLayer(body) } catch { throw .request(error) }
        try admit(passes * layer.forwardOperations, field: .layerInputs)
        try hold.reserve(layer.bytes * 4, for: "the layer's outputs and gradients")
        return layer
    }

    private func prepared(_ body: LayerNetworkRequest, passes: Double, hold: MemoryHold) throws(APIFailure) -> PreparedNetwork {
        let network: PreparedNetwork
        do throws(RequestError) { network = try PreparedNetwork(body) } catch { throw .request(error) }
        try admit(passes * network.suffixOperations[0], field: .layers)
        try hold.reserve(network.bytes * 4, for: "the network's activations and gradients")
        return network
    }

    /// Refuses work priced over `--max-work`, naming what to make smaller.
    private func admit(_ operations: Double, field: RequestField) throws(APIFailure) {
        guard operations > limits.maxOperations else { return }
        throw .request(
            RequestError(
                status: RequestError.invalidField,
                detail:
                    "\(field.rawValue): this needs about \(WorkEstimate.scientific(operations)) operations, over the server's budget of \(WorkEstimate.scientific(limits.maxOperations)) (--max-work); send smaller inputs (fewer examples, fewer channels or steps)",
                field: field.rawValue))
    }

    /// What one evaluation costs beyond its arithmetic (copies of the arguments' dictionary, the
    /// outputs' allocations), in operations: it is most of a small layer's price.
    static let evaluationOverhead = 5000.0

    /// Debug builds (the test suite's) run the layers' loops 50 to 100 times slower than the
    /// release build the rate of operations is measured on, and the suite runs its tests in
    /// parallel on a machine that may be busy besides (a conv slip's check once ran out of a 50x
    /// allowance at a load of 9 on 2 cores). There the deadline is only a guard against a hang.
    #if DEBUG
    static let buildSlowdown = 1000.0
    #else
    static let buildSlowdown = 1.0
    #endif

    private func layerStop(_ operations: Double, isCancelled: @escaping Cancellation, progress: CheckProgress?) -> StopSignal {
        let cores = cores
        let stop = StopSignal(
            budget: limits.maxOperations,
            allowance: { WorkEstimate.allowedSeconds(operations: $0 * Self.buildSlowdown, cores: cores) },
            isCancelled: isCancelled)
        stop.price(operations: operations)
        progress?.attach(stop)
        return stop
    }

    /// A JSON answer's bytes; a number JSON cannot hold is the 422 that names it.
    static func encodedAnswer(_ write: (inout JSONWriter) throws(JSONWriteError) -> Void) throws(APIFailure) -> [UInt8] {
        var writer = JSONWriter(capacity: 4096)
        do { try write(&writer) } catch { throw .nonFiniteResult(error) }
        return writer.bytes
    }
}
