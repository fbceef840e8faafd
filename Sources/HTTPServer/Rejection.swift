/// Why a request was turned away by a limit rather than answered: the one list the access log,
/// the `gradcheck_requests_rejected_total` metric and the handlers share. The raw value is what
/// the log line and the metric's `reason` label carry, so it is part of the operators' contract.
public enum Rejection: String, Sendable, CaseIterable, Comparable {
    /// The body is larger than the whole memory budget (413).
    case bodyTooLarge = "body_too_large"
    /// The connection cap was reached; the new connection got a 503 and was closed.
    case connections
    /// The handler's deadline ran out before the answer was ready.
    case deadline
    /// The drain deadline cut the request off at shutdown.
    case drain
    /// The memory budget was full; retry later (503).
    case memory
    /// Every worker was busy and the queue was full (503).
    case queueFull = "queue_full"

    public static func < (lhs: Rejection, rhs: Rejection) -> Bool { lhs.rawValue < rhs.rawValue }
}
