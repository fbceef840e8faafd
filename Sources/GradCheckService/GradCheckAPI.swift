import GradCheck

/// The three endpoints as functions from body bytes to a response: no sockets, no HTTP types,
/// so tests can call them in-process and the router only adapts them.
public struct GradCheckAPI: Sendable {
    public let limits: ComputeLimits
    public let checker: GradientChecker

    /// Im J(theta + i h) / h equals its h -> 0 limit to rounding only for small h; the engine
    /// computes the limit, so a larger step would be reported but not used.
    static let largestComplexStep = 1e-8

    public init(limits: ComputeLimits = ComputeLimits(), checker: GradientChecker = GradientChecker(engine: FastEngine())) {
        self.limits = limits
        self.checker = checker
    }

    /// `POST /forward`: `{"cost", "AL"}`, or `{"J"}` for the scalar body.
    public func forward(_ body: [UInt8]) -> APIResponse {
        respond(to: body) { request, writer in
            switch request {
            case let .scalar(scalar):
                writer.beginObject()
                writer.key("J"); try writer.number(ScalarCase.forward(x: scalar.x, theta: scalar.theta))
                writer.endObject()
            case let .network(request):
                let (network, x, y) = try build(request)
                try checkBudget(network, examples: x.cols, forwardPasses: 1)
                let pass = network.forward(x, labels: y)
                writer.beginObject()
                writer.key("cost"); try writer.number(pass.cost)
                writer.key("AL"); try writer.matrix(pass.output)
                writer.endObject()
            }
        }
    }

    /// `POST /backward`: `{"cost", "gradients": {"dW1", "db1", ...}}`, or `{"dtheta"}`.
    public func backward(_ body: [UInt8]) -> APIResponse {
        respond(to: body) { request, writer in
            switch request {
            case let .scalar(scalar):
                writer.beginObject()
                writer.key("dtheta"); try writer.number(ScalarCase.backward(x: scalar.x, theta: scalar.theta))
                writer.endObject()
            case let .network(request):
                let (network, x, y) = try build(request)
                try checkBudget(network, examples: x.cols, forwardPasses: 3)
                let (pass, gradients) = network.gradients(inputs: x, labels: y)
                writer.beginObject()
                writer.key("cost"); try writer.number(pass.cost)
                writer.key("gradients")
                writer.beginObject()
                for id in gradients.orderedIDs {
                    writer.key(id.gradientName)
                    try writer.matrix(gradients.tensors[id]!)
                }
                writer.endObject()
                writer.endObject()
            }
        }
    }

    /// `POST /gradcheck`: the notebook's verdict plus the per-parameter report.
    public func gradcheck(_ body: [UInt8]) -> APIResponse {
        respond(to: body) { request, writer in
            switch request {
            case let .scalar(scalar):
                let result = ScalarCase.gradientCheck(x: scalar.x, theta: scalar.theta, gradient: scalar.dtheta, method: scalar.method, epsilon: scalar.epsilon, threshold: scalar.threshold)
                try ReportEncoder.write(result, scalar: scalar, to: &writer)
            case let .network(request):
                let (network, x, y) = try build(request)
                var gradients: Gradients?
                if let named = request.gradients {
                    do throws(NetworkError) { gradients = try NetworkBuilder.gradients(named, for: network) } catch { throw APIFailure.network(error) }
                }
                if request.method == .complexStep && request.epsilon > Self.largestComplexStep {
                    throw APIFailure.request(.invalid("epsilon", "complex-step needs a step <= \(Self.largestComplexStep) (default 1e-20): it returns the h -> 0 limit of Im J(theta + i h) / h"))
                }
                let options = GradientCheckOptions(method: request.method, epsilon: request.epsilon,
                                                   threshold: request.threshold, mode: request.mode.checkerMode)
                let estimate = WorkEstimate(network: network, examples: x.cols, options: options)
                if estimate.exceeds(budget: limits.maxOperations) {
                    throw APIFailure.overBudget(estimate.refusal(budget: limits.maxOperations), field: "mode")
                }
                let report = checker.check(network, inputs: x, labels: y, gradients: gradients, options: options)
                try ReportEncoder.write(report, to: &writer)
            }
        }
    }

    /// Reads the body, runs `produce`, and turns any failure into its problem response.
    private func respond(to body: [UInt8],
                         _ produce: (ServiceRequest, inout JSONWriter) throws -> Void) -> APIResponse {
        do {
            let request: ServiceRequest
            do { request = try RequestReader.read(body) } catch { throw APIFailure.request(error) }
            var writer = JSONWriter(capacity: 1024)
            try produce(request, &writer)
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

    /// A forward pass is cheap per byte of body, but not bounded by it: a 64 MiB body can describe
    /// a pass of 1e12 operations. Backward costs about two more passes.
    private func checkBudget(_ network: Network, examples m: Int, forwardPasses: Double) throws {
        let operations = forwardPasses * WorkEstimate.forwardOperations(of: network, examples: m)
        guard operations <= limits.maxOperations else {
            throw APIFailure.overBudget("this request is estimated at \(operations) operations, over the budget of \(limits.maxOperations) (--max-work); send fewer examples or a smaller network", field: "X")
        }
    }

    private func build(_ request: NetworkRequest) throws -> (Network, Matrix, Matrix) {
        do {
            let network = try NetworkBuilder.network(parameters: request.parameters, inputs: request.x, labels: request.y,
                                                     activation: request.activation, output: request.output,
                                                     lambd: request.lambd)
            return (network, request.x, request.y)
        } catch { throw APIFailure.network(error) }
    }
}

extension CheckMode {
    /// The core's spelling of the same mode.
    var checkerMode: GradientCheckOptions.Mode {
        switch self {
        case .full: return .full
        case let .sample(samples, seed): return .sample(count: samples, seed: seed)
        case let .directional(directions, seed): return .directional(count: directions, seed: seed)
        }
    }
}
