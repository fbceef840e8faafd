import Dispatch

/// What a connection knows about the request it is answering, from the request's first byte
/// until its response is written: one value, so no fact about it outlives it.
struct InFlightRequest {
    /// When the first byte arrived: the access log's duration starts here.
    let start: DispatchTime
    /// Set once it is known to the connection's answer: when a body's length is (a refusal for
    /// memory names the request), and when the request is complete. Nil for one that failed to parse.
    var head: HTTPRequestHead?
    /// Raised when its client leaves; set once a handler may be running.
    var cancellation: RequestCancellation?
    /// Bytes of its body held by the handler until it answers (reserved in the memory budget).
    var bodyBytes = 0
    /// Counted in the server's `requestsInFlight` gauge, from dispatch to its answer.
    var countedInGauge = false
    /// Decided when its answer is queued: the connection ends once the answer is written.
    var closesAfterResponse = false

    init(start: DispatchTime = .now()) {
        self.start = start
    }

    /// An answer to HEAD carries the headers a GET would, but no body (RFC 9110 §9.3.2): the
    /// GET handler's answer and the router's own 404, 405 and 501 alike.
    var headOnly: Bool { head?.method == .head }

    /// The `X-Request-Id` of its answer: the client's when sane, else a fresh one (fixed once a
    /// stream begins, so its lines and its head carry the same one).
    var requestID: RequestID { fixedRequestID ?? RequestID.choose(clientSent: head?.headers[RequestID.headerName]) }
    private var fixedRequestID: RequestID?

    /// Leaves the server's `requestsInFlight` gauge, if it is counted there (once only).
    mutating func leaveGauge(_ gauges: HTTPServerGauges) {
        guard countedInGauge else { return }
        countedInGauge = false
        gauges.requestsInFlight.subtract(1, ordering: .relaxed)
    }

    /// Chooses the request id now, keeps it, and returns its text.
    mutating func fixRequestID() -> String {
        let id = requestID
        fixedRequestID = id
        return id.text
    }

    /// What its answer's framing depends on, read from the head at once: each `head?.field`
    /// copies the whole head (a retain and a release for each string in it). A request that
    /// failed to parse is answered as HTTP/1.1, and its connection closes.
    var answerFraming: (version: HTTPVersion, keepAlive: Bool, headOnly: Bool) {
        guard let head else { return (.http1_1, false, false) }
        return (head.version, head.keepAlive, head.method == .head)
    }

    /// Its access-log line, for an answer with `status` and `bodyBytes` bytes of body, queued
    /// at `now`.
    func accessLogEntry(
        status: HTTPStatus, bodyBytes: Int, requestID: RequestID, remote: String, rejection: Rejection? = nil,
        now: DispatchTime = .now()
    ) -> HTTPAccessLogEntry {
        let (method, path) = head.map { ($0.method.rawValue, $0.path) } ?? ("-", "-")
        return HTTPAccessLogEntry(
            method: method, path: path, status: status, bodyBytes: bodyBytes,
            nanoseconds: Int64(truncatingIfNeeded: now.uptimeNanoseconds &- start.uptimeNanoseconds), id: requestID,
            remote: remote, rejection: rejection)
    }
}

/// What happens to the connection once an answer is written.
enum AfterResponse {
    /// Stays open for the next request unless something forbids it: the client asked to close,
    /// it is HTTP/1.0 without keep-alive, it half-closed, the server is stopping, or the
    /// connection has served its quota.
    case keepAliveIfAllowed
    /// Ends: the request's framing is lost (a parse error) or its body was never read.
    case close
}
