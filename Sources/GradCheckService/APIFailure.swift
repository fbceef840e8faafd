import GradCheck

/// Everything an endpoint can fail with, mapped to one problem response in one place.
enum APIFailure: Error {
    case request(RequestError)
    case network(NetworkError)
    case nonFiniteResult(JSONWriteError)
    /// The work is priced over the compute budget (422, worded by `WorkRefusal`).
    case overBudget(WorkRefusal)
    /// The request (its body included) needs more memory than the whole budget: it can never run
    /// here, however idle the server (422).
    case memoryOverBudget(bytes: Double, limit: Int, purpose: String)
    /// Other requests hold the memory it needs right now (503, retry later).
    case memoryBusy(bytes: Double, limit: Int)
    /// The check stopped early or had no finite verdict (see `GradientChecker.CheckFailure`).
    case check(GradientChecker.CheckFailure)

    var response: APIResponse {
        switch self {
        case let .request(error):
            return .problem(error)
        case let .network(error):
            // Shapes that do not fit together: well-formed JSON, invalid content.
            let field = Self.fieldPath(of: error)
            return .problem(
                RequestError(
                    status: RequestError.invalidField,
                    detail: field.map { "\($0): \(error)" } ?? error.description, field: field))
        case let .nonFiniteResult(error):
            let field = error.key.map { " (\($0))" } ?? ""
            return .problem(
                RequestError(
                    status: RequestError.invalidField,
                    detail: "the result overflowed\(field): \(error.value) cannot be written as JSON; scale the inputs or parameters down",
                    field: error.key))
        case let .overBudget(refusal):
            return .problem(RequestError(status: RequestError.invalidField, detail: refusal.detail, field: refusal.field.rawValue))
        case let .memoryOverBudget(bytes, limit, purpose):
            return .problem(
                RequestError(
                    status: RequestError.invalidField,
                    detail:
                        "this request needs about \(WorkEstimate.scientific(bytes)) bytes of memory (its body and \(purpose)), more than the server's whole memory budget of \(limit) bytes (--max-memory): it cannot run here even on an idle server; send fewer examples, a smaller network, or use \"mode\": \"sample\" or \"directional\"",
                    field: "X"))
        case let .memoryBusy(bytes, limit):
            return .problem(
                ProblemDetails(
                    status: 503,
                    detail:
                        "the server's memory budget (\(limit) bytes) is taken by other requests; this one needs about \(WorkEstimate.scientific(bytes)) bytes: retry later"
                ),
                retryAfterSeconds: APIResponse.retryAfterBusy)
        case .check(.interrupted(.cancelled)):
            // Never sent: the client is gone. The access log records 499.
            return .problem(ProblemDetails(status: 499, detail: "the client closed the connection; the check was stopped"))
        case let .check(.interrupted(.deadlineExceeded(seconds))):
            return .problem(
                ProblemDetails(
                    status: 503,
                    detail:
                        "the check ran past the time its price allows (\(WorkEstimate.scientific(seconds)) s) and was stopped: this input is slower than the cost model says; use \"mode\": \"sample\" or \"directional\" for a cheaper check"
                ))
        case let .check(.interrupted(.overBudget(operations, budget, coordinates))):
            return APIFailure.overBudget(WorkRefusal(priced: .checkPoint(coordinates: coordinates), operations: operations, budget: budget))
                .response
        case let .check(.nonFinite(detail)):
            return .problem(RequestError(status: RequestError.invalidField, detail: "no verdict: \(detail)"))
        }
    }

    /// Where a core error points in the request body: `parameters.W2`, `gradients.db1`, `Y`.
    private static func fieldPath(of error: NetworkError) -> String? {
        if case .invalidLambd = error { return RequestField.lambd.rawValue }
        if case .noParameters = error { return RequestField.parameters.rawValue }
        guard let key = error.key else { return nil }
        if GradientName(key) != nil { return "\(RequestField.gradients.rawValue).\(key)" }
        if ParameterID(name: key) != nil { return "\(RequestField.parameters.rawValue).\(key)" }
        return key
    }
}
