import GradCheck

/// Everything an endpoint can fail with, mapped to one problem response in one place.
enum APIFailure: Error {
    case request(RequestError)
    case network(NetworkError)
    case nonFiniteResult(JSONWriteError)
    case overBudget(String, field: String)

    var response: APIResponse {
        switch self {
        case let .request(error):
            return .problem(error)
        case let .network(error):
            // Shapes that do not fit together: well-formed JSON, invalid content.
            let field = Self.fieldPath(of: error)
            return .problem(RequestError(status: RequestError.invalidField,
                                         detail: field.map { "\($0): \(error)" } ?? error.description, field: field))
        case let .nonFiniteResult(error):
            let field = error.key.map { " (\($0))" } ?? ""
            return .problem(RequestError(
                status: RequestError.invalidField,
                detail: "the result overflowed\(field): \(error.value) cannot be written as JSON; scale the inputs or parameters down",
                field: error.key))
        case let .overBudget(message, field):
            return .problem(RequestError(status: RequestError.invalidField, detail: message, field: field))
        }
    }

    /// Where a core error points in the request body: `parameters.W2`, `gradients.db1`, `Y`.
    private static func fieldPath(of error: NetworkError) -> String? {
        if case .invalidLambd = error { return "lambd" }
        if case .noParameters = error { return "parameters" }
        guard let key = error.key else { return nil }
        if key.hasPrefix("dW") || key.hasPrefix("db") { return "gradients.\(key)" }
        if key.hasPrefix("W") || key.hasPrefix("b") { return "parameters.\(key)" }
        return key
    }
}
