import Foundation
import GradCheck
import HTTPServer

/// The three endpoints as functions from body bytes to a response: no sockets, no HTTP types,
/// so tests can call them in-process and the router only adapts them.
///
/// Every request is priced before its work starts (`RequestPrice`, `WorkEstimate`): memory is
/// reserved in the shared `MemoryBudget` (422 when it could never fit, 503 with `Retry-After`
/// while other requests hold it), and operations are held to `limits.maxOperations` (422). A
/// gradient check also runs under a `StopSignal`: it stops when `isCancelled` turns true (the
/// client left) or when it runs past the time its price allows.
public struct GradCheckAPI: Sendable {
    public let limits: ComputeLimits
    public let checker: GradientChecker
    public let memory: MemoryBudget
    /// Where each check that reaches a verdict is counted (`gradcheck_checks_total`), if anywhere.
    public let metrics: ServiceMetrics?
    /// Cores the engine spreads a check over: the deadline allows for them.
    let cores: Int

    public init(
        limits: ComputeLimits = ComputeLimits(), checker: GradientChecker = GradientChecker(engine: FastEngine()),
        memory: MemoryBudget = .unlimited, metrics: ServiceMetrics? = nil
    ) {
        self.limits = limits
        self.metrics = metrics
        self.checker = checker
        self.memory = memory
        cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    public typealias Cancellation = @Sendable () -> Bool

    /// `POST /forward`: `{"cost", "AL"}`, or `{"J"}` for the scalar body.
    public func forward(_ body: [UInt8], isCancelled: @escaping Cancellation = { false }) -> APIResponse {
        respond(to: body) { request, writer, hold in
            switch request {
            case let .scalar(scalar):
                writer.beginObject()
                writer.key("J")
                try writer.number(ScalarCase.forward(x: scalar.x, theta: scalar.theta))
                writer.endObject()
            case let .network(request):
                let (network, x, y) = try build(request)
                try checkBudget(operations: WorkEstimate.forwardPassOperations(of: network, examples: x.cols))
                try hold.reserve(RequestPrice.forwardBytes(network, examples: x.cols), for: "the forward pass and its answer")
                let pass = network.forward(x, labels: y)
                writer.beginObject()
                writer.key("cost")
                try writer.number(pass.cost)
                writer.key("AL")
                try writer.matrix(pass.output)
                writer.endObject()
            }
            return nil
        }
    }

    /// `POST /backward`: `{"cost", "gradients": {"dW1", "db1", ...}}`, or `{"dtheta"}`.
    public func backward(_ body: [UInt8], isCancelled: @escaping Cancellation = { false }) -> APIResponse {
        respond(to: body) { request, writer, hold in
            switch request {
            case let .scalar(scalar):
                writer.beginObject()
                writer.key("dtheta")
                try writer.number(ScalarCase.backward(x: scalar.x, theta: scalar.theta))
                writer.endObject()
            case let .network(request):
                let (network, x, y) = try build(request)
                // Backward costs about two more passes.
                try checkBudget(operations: 3 * WorkEstimate.forwardPassOperations(of: network, examples: x.cols))
                try hold.reserve(RequestPrice.backwardBytes(network, examples: x.cols), for: "the backward pass and its answer")
                let (pass, gradients) = network.gradients(inputs: x, labels: y)
                writer.beginObject()
                writer.key("cost")
                try writer.number(pass.cost)
                writer.key("gradients")
                writer.beginObject()
                for id in gradients.orderedIDs {
                    writer.key(id.gradientName)
                    try writer.matrix(gradients.tensors[id]!)
                }
                writer.endObject()
                writer.endObject()
            }
            return nil
        }
    }

    /// `POST /gradcheck`: the notebook's verdict plus the per-parameter report, as JSON or, when
    /// `accept` prefers it (`ReportFormat`), as an HTML report or SVG heatmaps. Errors stay
    /// problem+json whatever was asked for; an `accept` that takes none of the formats is a 406.
    /// `progress`, when given, is attached to the check's `StopSignal`, so another thread can
    /// read how far the engine has got (the NDJSON stream does).
    public func gradcheck(
        _ body: [UInt8], accept: String? = nil, isCancelled: @escaping Cancellation = { false },
        progress: CheckProgress? = nil
    ) -> APIResponse {
        guard let format = ReportFormat.negotiate(accept: accept) else {
            return .problem(
                ProblemDetails(
                    status: 406, detail: ReportFormat.notAcceptableDetail,
                    extensions: [("acceptable", .array(ReportFormat.allCases.map { .string($0.rawValue) }))]))
        }
        return respond(to: body) { request, writer, hold in
            switch request {
            case let .scalar(scalar):
                if scalar.method == .central {
                    do throws(RequestError) { try RequestReader.checkEpsilon(scalar.epsilon, method: .central) } catch {
                        throw APIFailure.request(error)
                    }
                }
                let result = ScalarCase.gradientCheck(
                    x: scalar.x, theta: scalar.theta, gradient: scalar.dtheta, method: scalar.method, epsilon: scalar.epsilon,
                    threshold: scalar.threshold)
                metrics?.recordCheck(
                    passed: result.passed, method: scalar.method.rawValue, mode: "scalar",
                    costEvaluations: scalar.method == .central ? 2 : 1)
                switch format {
                case .json, .ndjson: try ReportEncoder.write(result, scalar: scalar, to: &writer)
                case .html: return .report(ReportHTML.document(scalar: result, scalar), format: .html)
                case .svg: return .report(ReportSVG.document(scalar: result), format: .svg)
                case .gradescope:
                    throw APIFailure.request(
                        .invalidBody("the Gradescope format grades the tensors of a network body; the scalar case has none"))
                }
            case let .network(request):
                let (network, x, y) = try build(request)
                var gradients: Gradients?
                var intermediates: IntermediateGradients = [:]
                if let named = request.gradients {
                    do throws(NetworkError) {
                        gradients = try NetworkBuilder.gradients(named, for: network)
                        intermediates = try NetworkBuilder.intermediates(named, for: network, examples: x.cols)
                    } catch { throw APIFailure.network(error) }
                }
                do throws(RequestError) { try RequestReader.checkEpsilon(request.epsilon, method: request.method) } catch {
                    throw APIFailure.request(error)
                }
                var options = GradientCheckOptions(
                    method: request.method, epsilon: request.epsilon,
                    threshold: request.threshold, mode: request.mode)
                options.precision = request.precision
                if let patterns = request.only {
                    let (selected, unmatched) = GradientCheckOptions.select(patterns, in: network)
                    if let pattern = unmatched.first {
                        throw APIFailure.request(
                            .invalid(
                                "only",
                                "\"\(pattern)\" matches no tensor; this network has \(network.parameterIDs.map(\.name).joined(separator: ", "))"
                            ))
                    }
                    options.only = selected
                }
                options.keepsEntries = format == .html || format == .svg
                let estimate = WorkEstimate(
                    network: network, examples: x.cols, options: options, threads: cores,
                    intermediates: Array(intermediates.keys))
                if estimate.exceeds(budget: limits.maxOperations) {
                    throw APIFailure.overBudget(estimate.refusal(budget: limits.maxOperations), field: "mode")
                }
                try hold.reserve(
                    RequestPrice.gradcheckBytes(estimate), for: "the check: engine cache, backward pass, per-coordinate results")
                if options.keepsEntries {
                    let entries = network.parameterCount + intermediates.values.reduce(0) { $0 + $1.count }
                    try hold.reserve(
                        RequestPrice.pictureBytes(entries: entries, tensors: network.layers.count * 2 + intermediates.count),
                        for: "every entry's values and the report's markup")
                }
                if let shard = request.shard {
                    guard format == .json else {
                        throw APIFailure.request(
                            .invalid(
                                "shard",
                                "a shard answers its partial result as application/json only; merge the shards with POST /gradcheck/merge for the other formats' data"
                            ))
                    }
                    let stop = stopSignal(pricedAt: estimate, isCancelled: isCancelled, progress: progress)
                    var partial: ShardPartial
                    do throws(GradientChecker.CheckFailure) {
                        partial = try checker.checkShard(
                            network, inputs: x, labels: y, gradients: gradients, options: options,
                            shard: shard, stop: stop)
                    } catch { throw APIFailure.check(error) }
                    partial.fingerprint = RequestFingerprint.of(request)
                    try ShardEncoder.write(partial, to: &writer)
                    return nil
                }
                let stop = stopSignal(pricedAt: estimate, isCancelled: isCancelled, progress: progress)
                let report: GradientCheckReport
                do throws(GradientChecker.CheckFailure) {
                    report = try checker.check(
                        network, inputs: x, labels: y, gradients: gradients, intermediates: intermediates,
                        options: options, stop: stop)
                } catch { throw APIFailure.check(error) }
                metrics?.recordCheck(
                    passed: report.passed, method: report.methodUsed.rawValue, mode: report.mode.kind.rawValue,
                    costEvaluations: report.costEvaluations)
                switch format {
                case .json, .ndjson: try ReportEncoder.write(report, to: &writer)
                case .html: return .report(ReportHTML.document(report), format: .html)
                case .svg: return .report(ReportSVG.document(report), format: .svg)
                case .gradescope:
                    var results = JSONWriter(capacity: 1024)
                    try GradescopeEncoder.write(report, to: &results)
                    return .report(results.bytes, format: .gradescope)
                }
            }
            return nil
        }
    }

    /// The problem answer for a body `/gradcheck` cannot read (JSON syntax, fields), or nil: the
    /// NDJSON stream answers those with their own status before it begins, so only failures
    /// of the check itself end a stream that already said 200.
    public func unreadable(_ body: [UInt8]) -> APIResponse? {
        do { _ = try RequestReader.read(body) } catch { return .problem(error) }
        return nil
    }

    /// `POST /gradcheck/merge`: `{"shards": [...]}`, the partial answers of one check's shards,
    /// merged into the answer `/gradcheck` gives unsharded (`GradientChecker.merge`); 422 when
    /// a shard is malformed, missing, repeated, or from another network or options.
    public func merge(_ body: [UInt8]) -> APIResponse {
        let hold = MemoryHold(budget: memory)
        defer { hold.releaseAll() }
        let value: JSONValue
        do { value = try JSONReader.parse(body, memory: hold.allowance(for: "reading the JSON body")) } catch {
            return (hold.refusal ?? APIFailure.request(RequestError(error))).response
        }
        do {
            let partials = try MergeReader.read(value)
            let report: GradientCheckReport
            do throws(GradientChecker.MergeFailure) { report = try GradientChecker.merge(partials) } catch {
                guard case let .invalid(detail) = error else { fatalError() }
                throw APIFailure.request(.invalid("shards", detail))
            }
            var writer = JSONWriter(capacity: 4096)
            try ReportEncoder.write(report, to: &writer)
            return .json(writer.bytes)
        } catch let error as RequestError {
            return APIFailure.request(error).response
        } catch let failure as APIFailure {
            return failure.response
        } catch let error as JSONWriteError {
            return APIFailure.nonFiniteResult(error).response
        } catch {
            return .problem(ProblemDetails(status: 500, detail: "unexpected error: \(error)"))
        }
    }

    /// Reads the body (reserving its tree as it grows), runs `produce`, and turns any failure
    /// into its problem response; whatever was reserved is released on every path. `produce`
    /// writes a JSON answer into the writer and returns nil, or returns a whole other answer.
    private func respond(
        to body: [UInt8],
        _ produce: (ServiceRequest, inout JSONWriter, MemoryHold) throws -> APIResponse?
    ) -> APIResponse {
        let hold = MemoryHold(budget: memory)
        defer { hold.releaseAll() }
        do {
            let request: ServiceRequest
            do { request = try RequestReader.read(body, memory: hold.allowance(for: "reading the JSON body")) } catch {
                throw hold.refusal ?? APIFailure.request(error)
            }
            var writer = JSONWriter(capacity: 1024)
            if let answer = try produce(request, &writer, hold) { return answer }
            return .json(writer.bytes)
        } catch let failure as APIFailure {
            return failure.response
        } catch let error as JSONWriteError {
            return APIFailure.nonFiniteResult(error).response
        } catch {
            // Every thrown error above is one of ours; this keeps a new one from becoming a crash.
            return .problem(ProblemDetails(status: 500, detail: "unexpected error: \(error)"))
        }
    }

    /// The check's stop: the budget, a deadline from its price, the client's cancellation, and
    /// the progress stream (when one is attached) reading its counters.
    private func stopSignal(
        pricedAt estimate: WorkEstimate, isCancelled: @escaping Cancellation,
        progress: CheckProgress?
    ) -> StopSignal {
        let cores = cores
        let stop = StopSignal(
            budget: limits.maxOperations,
            allowance: { WorkEstimate.allowedSeconds(operations: $0, cores: cores) },
            isCancelled: isCancelled)
        stop.price(operations: estimate.operations)
        progress?.attach(stop)
        return stop
    }

    /// A forward pass is cheap per byte of body, but not bounded by it: a 64 MiB body can describe
    /// a pass of 1e12 operations, and /forward and /backward cannot be stopped halfway.
    private func checkBudget(operations: Double) throws {
        guard operations <= limits.maxOperations else {
            throw APIFailure.overBudget(
                "this request is estimated at \(WorkEstimate.scientific(operations)) operations, over the budget of \(WorkEstimate.scientific(limits.maxOperations)) (--max-work); send fewer examples or a smaller network",
                field: "X")
        }
    }

    private func build(_ request: NetworkRequest) throws -> (Network, Matrix, Matrix) {
        do {
            let network = try NetworkBuilder.network(
                parameters: request.parameters, inputs: request.x, labels: request.y,
                activation: request.activation, output: request.output,
                lambd: request.lambd)
            do throws(RequestError) { try RequestReader.checkLabels(request.y, output: request.output) } catch {
                throw APIFailure.request(error)
            }
            return (network, request.x, request.y)
        } catch let error as NetworkError { throw APIFailure.network(error) }
    }
}
