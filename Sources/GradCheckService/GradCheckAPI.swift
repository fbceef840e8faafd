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
    /// Requests refused for memory others hold wait here, one at a time (`admitted`).
    let admission = AdmissionQueue()
    /// The key the replicas share (`--shard-key-file`): shards sign their partials with it and
    /// the merge refuses a partial whose tag does not verify. Nil: unsigned, and merged answers
    /// say `"verified": false`.
    public let shardKey: [UInt8]?

    public init(
        limits: ComputeLimits = ComputeLimits(), checker: GradientChecker = GradientChecker(engine: FastEngine()),
        memory: MemoryBudget = .unlimited, metrics: ServiceMetrics? = nil, shardKey: [UInt8]? = nil
    ) {
        self.shardKey = shardKey
        self.limits = limits
        self.metrics = metrics
        self.checker = checker
        self.memory = memory
        cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    public typealias Cancellation = @Sendable () -> Bool

    /// `POST /forward`: `{"cost", "AL"}`, or `{"J"}` for the scalar body.
    public func forward(_ body: [UInt8], isCancelled: @escaping Cancellation = { false }) -> APIResponse {
        pass(
            body, scalar: { ("J", ScalarCase.forward(x: $0.x, theta: $0.theta)) }, layers: layerForward, passes: 1,
            bytes: RequestPrice.forwardBytes,
            for: "the forward pass and its answer",
            members: { network, x, y, writer throws(JSONWriteError) in
                let pass = network.forward(x, labels: y)
                try writer.member("cost", number: pass.cost)
                try writer.member("AL", matrix: pass.output)
            })
    }

    /// `POST /backward`: `{"cost", "gradients": {"dW1", "db1", ...}}`, or `{"dtheta"}`.
    public func backward(_ body: [UInt8], isCancelled: @escaping Cancellation = { false }) -> APIResponse {
        // Backward costs about two more passes.
        pass(
            body, scalar: { ("dtheta", ScalarCase.backward(x: $0.x, theta: $0.theta)) }, layers: layerBackward, passes: 3,
            bytes: RequestPrice.backwardBytes, for: "the backward pass and its answer",
            members: { network, x, y, writer throws(JSONWriteError) in
                let (pass, gradients) = network.gradients(inputs: x, labels: y)
                try writer.member("cost", number: pass.cost)
                writer.key("gradients")
                writer.beginObject()
                for id in gradients.orderedIDs {
                    try writer.member(id.gradientName, matrix: gradients.tensors[id]!)
                }
                writer.endObject()
            })
    }

    /// What `/forward` and `/backward` share: the scalar body's answer is one named number; a
    /// network's pass is priced against the budgets (`passes` forward passes' work, `bytes` of
    /// memory held for `purpose`) before `members` computes it and writes the answer's members.
    private func pass(
        _ body: [UInt8], scalar: (ScalarRequest) -> (key: String, value: Double),
        layers: (ServiceRequest, MemoryHold) throws(APIFailure) -> APIResponse, passes: Double,
        bytes: (Network, Int) -> Double, for purpose: String,
        members: (Network, Matrix, Matrix, inout JSONWriter) throws(JSONWriteError) -> Void
    ) -> APIResponse {
        respond(to: body) { request, hold throws(APIFailure) in
            switch request {
            case let .scalar(request):
                let (key, value) = scalar(request)
                return try Self.single(key, value)
            case .layer, .layerNetwork:
                return try layers(request, hold)
            case let .network(request):
                let (network, x, y) = try pricedPass(request, passes: passes, bytes: bytes, for: purpose, hold: hold)
                return .json(
                    try Self.encoded { writer throws(JSONWriteError) in
                        writer.beginObject()
                        try members(network, x, y, &writer)
                        writer.endObject()
                    })
            }
        }
    }

    /// `POST /gradcheck`: the notebook's verdict plus the per-parameter report, as JSON or, when
    /// `accept` prefers it (`ReportFormat`), as an HTML report or SVG heatmaps. Errors stay
    /// problem+json whatever was asked for; an `accept` that takes none of the formats is a 406.
    /// `progress`, when given, is attached to the check's `StopSignal`, so another thread can
    /// read how far the engine has got (the NDJSON stream does). `prepare` then `run`.
    public func gradcheck(
        _ body: [UInt8], accept: String? = nil, isCancelled: @escaping Cancellation = { false },
        progress: CheckProgress? = nil
    ) -> APIResponse {
        switch prepare(body, accept: accept, isCancelled: isCancelled) {
        case let .answered(response): return response
        case let .check(prepared): return run(prepared, isCancelled: isCancelled, progress: progress)
        }
    }

    /// What `prepare` leaves: an answer already (a refusal, or the scalar case's cheap verdict),
    /// or a network check ready to run.
    public enum Preparation: Sendable {
        case answered(APIResponse)
        case check(PreparedCheck)
    }

    /// The one preparation of a `/gradcheck` request, before any status is sent: negotiates
    /// `accept`, parses the body within the memory budget, validates it, prices the check and
    /// reserves its memory. Every refusal (406, 413/422, 503) is an answer here, so the JSON,
    /// HTML, SVG, Gradescope and NDJSON answers all refuse the same body with the same status.
    /// A prepared check holds its reservation until `run` (or `PreparedCheck.release`) ends it.
    /// `isCancelled` stops the preparation's own work (the `only` selection) when the client leaves.
    public func prepare(_ body: [UInt8], accept: String?, isCancelled: @escaping Cancellation = { false }) -> Preparation {
        guard let format = ReportFormat.negotiate(accept: accept) else {
            return .answered(
                .problem(
                    ProblemDetails(
                        status: 406, detail: ReportFormat.notAcceptableDetail,
                        extensions: [("acceptable", .array(ReportFormat.allCases.map { .string($0.rawValue) }))])))
        }
        do throws(APIFailure) {
            return try admitted(bodyBytes: body.count) { hold throws(APIFailure) in
                let request: ServiceRequest
                do throws(RequestError) {
                    request = try RequestReader.read(body, memory: hold.allowance(for: "reading the JSON body"))
                } catch {
                    throw hold.refusal ?? .request(error)
                }
                switch request {
                case let .scalar(scalar):
                    defer { hold.releaseAll() }
                    return .answered(try check(scalar, format: format))
                case let .network(request):
                    return .check(try prepare(request, format: format, hold: hold, isCancelled: isCancelled))
                case .layer, .layerNetwork:
                    return .check(PreparedCheck(hold: hold, work: .layers(try prepareLayerCheck(request, format: format, hold: hold))))
                }
            }
        } catch {
            return .answered(error.response)
        }
    }

    /// Runs a prepared check to its answer (a problem when it is stopped or has no finite
    /// verdict) and releases its memory.
    public func run(_ prepared: PreparedCheck, isCancelled: @escaping Cancellation = { false }, progress: CheckProgress? = nil)
        -> APIResponse
    {
        defer { prepared.release() }
        do {
            switch prepared.work {
            case let .network(work): return try run(work, isCancelled: isCancelled, progress: progress)
            case let .layers(work): return try work.run(isCancelled, progress)
            }
        } catch { return error.response }
    }

    /// The scalar case's check, in the format asked for (it has no tensors to grade).
    private func check(_ scalar: ScalarRequest, format: ReportFormat) throws(APIFailure) -> APIResponse {
        if scalar.method == .central {
            do throws(RequestError) { try RequestReader.checkEpsilon(scalar.epsilon, method: .central) } catch {
                throw .request(error)
            }
        }
        let result = ScalarCase.gradientCheck(
            x: scalar.x, theta: scalar.theta, gradient: scalar.dtheta, method: scalar.method, epsilon: scalar.epsilon,
            threshold: scalar.threshold)
        metrics?.recordCheck(
            passed: result.passed, method: scalar.method.rawValue, mode: "scalar",
            costEvaluations: scalar.method == .central ? 2 : 1)
        switch format {
        case .json, .ndjson:
            return .json(try Self.encoded { writer throws(JSONWriteError) in try ReportEncoder.write(result, scalar: scalar, to: &writer) })
        case .html: return .report(ReportHTML.document(scalar: result, scalar), format: .html)
        case .svg: return .report(ReportSVG.document(scalar: result), format: .svg)
        case .gradescope:
            throw .request(.invalidBody("the Gradescope format grades the tensors of a network body; the scalar case has none"))
        }
    }

    /// A network's check (or one shard of it), validated, priced and held to the budgets.
    private func prepare(
        _ request: NetworkRequest, format: ReportFormat, hold: MemoryHold, isCancelled: @escaping Cancellation
    ) throws(APIFailure) -> PreparedCheck {
        let (network, x, y) = try build(request)
        var gradients: Gradients?
        var intermediates: IntermediateGradients = [:]
        if let named = request.gradients {
            do throws(NetworkError) {
                gradients = try NetworkBuilder.gradients(named, for: network, examples: x.cols)
                intermediates = try NetworkBuilder.intermediates(named, for: network, examples: x.cols)
            } catch { throw .network(error) }
        }
        do throws(RequestError) { try RequestReader.checkEpsilon(request.epsilon, method: request.method) } catch {
            throw .request(error)
        }
        var options = GradientCheckOptions(
            method: request.method, epsilon: request.epsilon,
            threshold: request.threshold, mode: request.mode)
        options.precision = request.precision
        if let patterns = request.only {
            // Priced before it runs, and stopped when the client leaves: patterns x tensors.
            let selection = GradientCheckOptions.selectionOperations(patterns, tensors: network.parameterIDs.count)
            if selection > limits.maxOperations {
                throw .request(
                    .invalid(
                        .only,
                        "matching these patterns against the network's \(network.parameterIDs.count) tensors is estimated at \(WorkEstimate.scientific(selection)) operations, over the budget of \(WorkEstimate.scientific(limits.maxOperations)); list fewer patterns with \"*\" (names without \"*\" cost one lookup each)"
                    ))
            }
            guard let (selected, unmatched) = GradientCheckOptions.select(patterns, in: network, shouldStop: isCancelled) else {
                throw .check(.interrupted(.cancelled))
            }
            if let pattern = unmatched.first {
                throw .request(
                    .invalid(
                        .only,
                        "\"\(pattern)\" matches no tensor; this network has \(network.parameterIDs.map(\.name).joined(separator: ", "))"
                    ))
            }
            options.only = selected
        }
        options.keepsEntries = format == .html || format == .svg
        let estimate = WorkEstimate(
            network: network, examples: x.cols, options: options, threads: cores,
            intermediates: Array(intermediates.keys), shard: request.shard)
        if estimate.exceeds(budget: limits.maxOperations) {
            throw .overBudget(WorkRefusal(priced: .check(estimate), operations: estimate.operations, budget: limits.maxOperations))
        }
        try hold.reserve(
            RequestPrice.gradcheckBytes(estimate), for: "the check: engine cache, backward pass, per-coordinate results")
        if options.keepsEntries {
            let entries = network.parameterCount + intermediates.values.reduce(0) { $0 + $1.count }
            try hold.reserve(
                RequestPrice.pictureBytes(entries: entries, tensors: network.layers.count * 2 + intermediates.count),
                for: "every entry's values and the report's markup")
        }
        if request.shard != nil, format != .json {
            throw .request(
                .invalid(
                    .shard,
                    "a shard answers its partial result as application/json only; merge the shards with POST /gradcheck/merge for the other formats' data"
                ))
        }
        return PreparedCheck(
            hold: hold,
            work: .network(
                CheckWork(
                    request: request, format: format, network: network, x: x, y: y, gradients: gradients,
                    intermediates: intermediates, options: options, estimate: estimate)))
    }

    /// The check of prepared `work`, in its format.
    private func run(_ work: CheckWork, isCancelled: @escaping Cancellation, progress: CheckProgress?) throws(APIFailure) -> APIResponse {
        let (network, x, y, gradients, options) = (work.network, work.x, work.y, work.gradients, work.options)
        let stop = stopSignal(pricedAt: work.estimate, isCancelled: isCancelled, progress: progress)
        if let shard = work.request.shard {
            var partial = try Self.checked { () throws(GradientChecker.CheckFailure) in
                try checker.checkShard(network, inputs: x, labels: y, gradients: gradients, options: options, shard: shard, stop: stop)
            }
            partial.fingerprint = RequestFingerprint.of(work.request)
            if let shardKey {
                do throws(JSONWriteError) { partial.signature = try ShardEncoder.signature(partial, key: shardKey) } catch {
                    throw .nonFiniteResult(error)
                }
            }
            return .json(try Self.encoded { writer throws(JSONWriteError) in try ShardEncoder.write(partial, to: &writer) })
        }
        let report = try Self.checked { () throws(GradientChecker.CheckFailure) in
            try checker.check(
                network, inputs: x, labels: y, gradients: gradients, intermediates: work.intermediates, options: options, stop: stop)
        }
        metrics?.recordCheck(
            passed: report.passed, inconclusive: report.inconclusive, method: report.methodUsed.rawValue,
            mode: report.mode.kind.rawValue,
            costEvaluations: report.costEvaluations)
        switch work.format {
        case .json, .ndjson:
            return .json(try Self.encoded { writer throws(JSONWriteError) in try ReportEncoder.write(report, to: &writer) })
        case .html: return .report(ReportHTML.document(report), format: .html)
        case .svg: return .report(ReportSVG.document(report), format: .svg)
        case .gradescope:
            return .report(
                try Self.encoded { writer throws(JSONWriteError) in try GradescopeEncoder.write(report, to: &writer) }, format: .gradescope)
        }
    }

    /// `POST /gradcheck/merge`: `{"shards": [...]}`, the partial answers of one check's shards,
    /// merged into the answer `/gradcheck` gives unsharded (`GradientChecker.merge`); 422 when
    /// a shard is malformed, missing, repeated, or from another network or options; 406 when
    /// `accept` does not take application/json (the only format it answers).
    /// Priced (a few operations per tensor of every shard, against --max-work) and stopped when
    /// `isCancelled` turns true.
    public func merge(_ body: [UInt8], accept: String? = nil, isCancelled: @escaping Cancellation = { false }) -> APIResponse {
        guard ReportFormat.accepts(.json, accept: accept) else {
            return .problem(
                ProblemDetails(
                    status: 406, detail: ReportFormat.mergeNotAcceptableDetail,
                    extensions: [("acceptable", .array([.string(ReportFormat.json.rawValue)]))]))
        }
        return answer(bodyBytes: body.count) { hold throws(APIFailure) in
            let value: JSONValue
            do throws(JSONParseError) { value = try JSONReader.parse(body, memory: hold.allowance(for: "reading the JSON body")) } catch {
                throw hold.refusal ?? .request(RequestError(error))
            }
            let read: [ShardPartial]?
            do throws(RequestError) { read = try MergeReader.read(value, shouldStop: isCancelled) } catch { throw .request(error) }
            guard let partials = read else { throw .check(.interrupted(.cancelled)) }
            let tensors = partials.reduce(0) { $0 + $1.tensors.count }
            let operations = Double(tensors) * Self.mergeOperationsPerTensor
            guard operations <= limits.maxOperations else {
                throw .request(
                    .invalid(
                        "shards",
                        "merging \(tensors) tensor partials is estimated at \(WorkEstimate.scientific(operations)) operations, over the budget of \(WorkEstimate.scientific(limits.maxOperations)) (--max-work)"
                    ))
            }
            if isCancelled() { throw .check(.interrupted(.cancelled)) }
            let verification = try verify(partials)
            let report: GradientCheckReport
            do throws(GradientChecker.MergeFailure) { report = try GradientChecker.merge(partials) } catch {
                switch error {
                case let .invalid(detail): throw .request(.invalid("shards", detail))
                }
            }
            return .json(
                try Self.encoded(capacity: 4096) { writer throws(JSONWriteError) in
                    try ReportEncoder.write(report, verification: verification, to: &writer)
                })
        }
    }

    /// With a shard key, every partial's tag must verify (422 naming the shard otherwise); without
    /// one, the answer says it was not verified and why.
    private func verify(_ partials: [ShardPartial]) throws(APIFailure) -> ReportEncoder.Verification {
        guard let shardKey else {
            return ReportEncoder.Verification(
                verified: false,
                reason:
                    "this server has no shard key (--shard-key-file or GRADCHECK_SHARD_KEY): the partials are unsigned, so their numbers are trusted as sent; only their internal consistency was checked"
            )
        }
        for partial in partials {
            let expected: String
            do throws(JSONWriteError) { expected = try ShardEncoder.signature(partial, key: shardKey) } catch {
                throw .nonFiniteResult(error)
            }
            guard let tag = partial.signature, HMACSHA256.equalInConstantTime(tag, expected) else {
                throw .request(
                    .invalid(
                        "shards",
                        "shard \(partial.shard.index)'s partial \(partial.signature == nil ? "is not signed" : "does not verify"): it was not answered by a replica holding this fleet's shard key, or it was edited since"
                    ))
            }
        }
        return ReportEncoder.Verification(
            verified: true, reason: "every partial carries a valid HMAC-SHA256 tag under this fleet's shard key")
    }

    /// What merging one tensor partial costs, in the operations `--max-work` counts: its sums,
    /// the checks that the shards agree, and its share of the answer.
    static let mergeOperationsPerTensor = 200.0

    /// Reads the body (reserving its tree as it grows) and answers it with `produce`.
    private func respond(
        to body: [UInt8], _ produce: (ServiceRequest, MemoryHold) throws(APIFailure) -> APIResponse
    ) -> APIResponse {
        answer(bodyBytes: body.count) { hold throws(APIFailure) in
            let request: ServiceRequest
            do throws(RequestError) { request = try RequestReader.read(body, memory: hold.allowance(for: "reading the JSON body")) } catch {
                throw hold.refusal ?? .request(error)
            }
            return try produce(request, hold)
        }
    }

    /// Runs one request's work with a memory hold, releases whatever it reserved on every path,
    /// and turns a failure into its problem response: the one place endpoints' errors are answered.
    /// `bodyBytes`: the body the server already holds in the budget for this request.
    private func answer(bodyBytes: Int, _ work: (MemoryHold) throws(APIFailure) -> APIResponse) -> APIResponse {
        do {
            return try admitted(bodyBytes: bodyBytes) { hold throws(APIFailure) in
                defer { hold.releaseAll() }
                return try work(hold)
            }
        } catch { return error.response }
    }

    /// Runs `work` with a fresh memory hold (which it keeps or releases; on a failure it is
    /// released here). When the work is refused because other requests hold the memory now (the
    /// 503 case) although the request fits the budget alone, it queues instead of failing: it
    /// gives back everything it reserved, waits its turn (one queued request at a time, so a
    /// burst admits what fits instead of each request holding part of the budget and all
    /// failing), waits for room for what it was refused, and runs once more. It answers 503 when
    /// its turn or the room does not come within `admissionWait`.
    private func admitted<Result>(bodyBytes: Int, _ work: (MemoryHold) throws(APIFailure) -> Result) throws(APIFailure) -> Result {
        let refusal: APIFailure
        let first = MemoryHold(budget: memory, bodyBytes: bodyBytes)
        do throws(APIFailure) { return try work(first) } catch {
            first.releaseAll()
            refusal = error
        }
        guard case let .memoryBusy(needed, _) = refusal else { throw refusal }
        let deadline = DispatchTime.now() + .milliseconds(Int(Self.admissionWait * 1000))
        guard admission.queue.wait(timeout: deadline) == .success else { throw refusal }
        defer { admission.queue.signal() }
        // Polled: releases come from every request's own thread, and the wait is bounded.
        while Double(memory.limit - memory.reservedBytes) < needed {
            guard DispatchTime.now() < deadline else { throw refusal }
            usleep(2000)
        }
        let hold = MemoryHold(budget: memory, bodyBytes: bodyBytes)
        do throws(APIFailure) { return try work(hold) } catch {
            hold.releaseAll()
            throw error
        }
    }

    /// The longest a request refused for memory others hold waits for its turn and its room, in
    /// seconds, before it is answered 503 with `Retry-After`.
    static let admissionWait = 5.0

    /// `{"<key>": value}`: the scalar case's answers to `/forward` and `/backward`.
    /// A check's own failures (stopped, or no finite verdict) as the API's.
    private static func checked<Result>(_ run: () throws(GradientChecker.CheckFailure) -> Result) throws(APIFailure) -> Result {
        do throws(GradientChecker.CheckFailure) { return try run() } catch { throw .check(error) }
    }

    private static func single(_ key: String, _ value: Double) throws(APIFailure) -> APIResponse {
        .json(
            try encoded { writer throws(JSONWriteError) in
                writer.beginObject()
                try writer.member(key, number: value)
                writer.endObject()
            })
    }

    /// A JSON answer's bytes; a number JSON cannot hold (a result that overflowed) is the 422
    /// that names it.
    private static func encoded(
        capacity: Int = 1024, _ write: (inout JSONWriter) throws(JSONWriteError) -> Void
    ) throws(APIFailure) -> [UInt8] {
        var writer = JSONWriter(capacity: capacity)
        do { try write(&writer) } catch { throw .nonFiniteResult(error) }
        return writer.bytes
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

    /// The network of `/forward` or `/backward`, held to the budgets before its pass runs: the
    /// operations of `passes` forward passes, and `bytes` of memory reserved for `purpose`.
    /// A forward pass is cheap per byte of body, but not bounded by it: a 64 MiB body can describe
    /// a pass of 1e12 operations, and /forward and /backward cannot be stopped halfway.
    private func pricedPass(
        _ request: NetworkRequest, passes: Double, bytes: (Network, Int) -> Double, for purpose: String, hold: MemoryHold
    ) throws(APIFailure) -> (Network, Matrix, Matrix) {
        let (network, x, y) = try build(request)
        let operations = passes * WorkEstimate.forwardPassOperations(of: network, examples: x.cols)
        guard operations <= limits.maxOperations else {
            throw .overBudget(WorkRefusal(priced: .pass, operations: operations, budget: limits.maxOperations))
        }
        try hold.reserve(bytes(network, x.cols), for: purpose)
        return (network, x, y)
    }

    private func build(_ request: NetworkRequest) throws(APIFailure) -> (Network, Matrix, Matrix) {
        let network: Network
        do throws(NetworkError) {
            network = try NetworkBuilder.network(
                parameters: request.parameters, inputs: request.x, labels: request.y,
                activation: request.activation, output: request.output,
                lambd: request.lambd)
        } catch { throw .network(error) }
        do throws(RequestError) { try RequestReader.checkLabels(request.y, output: request.output) } catch {
            throw .request(error)
        }
        return (network, request.x, request.y)
    }
}

/// The turn of requests that were refused memory others held: one retries at a time.
final class AdmissionQueue: Sendable {
    let queue = DispatchSemaphore(value: 1)
}
