import Dispatch
import Synchronization

/// A response body produced while it is sent: `produce` runs on the handler's worker thread
/// after the response head has gone out, and hands chunks to the `HTTPStreamWriter`; the
/// connection writes them on its I/O queue, framed per RFC 9112 §7.1 (chunked transfer coding).
/// When `produce` returns, the last chunk (`0\r\n\r\n`) ends the body.
///
/// Backpressure: `write` blocks the producer while more than `HTTPStreamWriter.maxPendingBytes`
/// of its chunks wait to be written, and returns false (dropping the chunk) once the client has
/// gone, so a producer stops writing to nobody. The client leaving also raises the request's
/// `cancellation`, which the producer should poll.
public final class HTTPBodyStream: Sendable, Equatable {
    let produce: @Sendable (HTTPStreamWriter) -> Void

    public init(_ produce: @escaping @Sendable (HTTPStreamWriter) -> Void) {
        self.produce = produce
    }

    public static func == (lhs: HTTPBodyStream, rhs: HTTPBodyStream) -> Bool { lhs === rhs }
}

public final class HTTPStreamWriter: Sendable {
    /// Bytes handed over but not yet written to the socket, past which `write` waits.
    public static let maxPendingBytes = 64 * 1024

    private struct State {
        var pending = 0
        var closed = false
    }

    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    /// Hands one chunk to the connection (hops to its I/O queue).
    private let deliver: @Sendable ([UInt8]) -> Void

    /// The `X-Request-Id` of the exchange the stream answers (its head carries the same).
    public let requestID: String

    init(requestID: String = RequestID.generate(), deliver: @escaping @Sendable ([UInt8]) -> Void) {
        self.requestID = requestID
        self.deliver = deliver
    }

    /// The bytes of a problem that ends the stream, with this exchange's `request_id` (the
    /// server writes it into every problem it answers outside streams).
    public func rendered(_ problem: ProblemDocument) -> [UInt8] {
        var problem = problem
        problem.requestID = requestID
        return problem.bytes
    }

    /// Queues `bytes` as one chunk (an empty one is skipped: it would end the body). Waits while
    /// the connection is behind; false when the client has gone and nothing more will be sent.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return !isClosed }
        while true {
            let admitted: Bool? = state.withLock { s in
                if s.closed { return false }
                guard s.pending < Self.maxPendingBytes else { return nil }
                s.pending += bytes.count
                return true
            }
            switch admitted {
            case true?:
                deliver(bytes)
                return true
            case false?:
                return false
            case nil:
                // Woken when the connection drains or closes; the timeout only re-checks.
                _ = wake.wait(timeout: .now() + .milliseconds(200))
            }
        }
    }

    /// True once the client has gone.
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// The connection wrote `count` bytes of chunks.
    func drained(_ count: Int) {
        state.withLock { $0.pending = max(0, $0.pending - count) }
        wake.signal()
    }

    /// The connection closed: further writes fail at once.
    func connectionClosed() {
        state.withLock { $0.closed = true }
        wake.signal()
    }

    /// One chunk on the wire: size in hex, CRLF, data, CRLF (RFC 9112 §7.1).
    static func frame(_ bytes: [UInt8]) -> [UInt8] {
        Array(String(bytes.count, radix: 16).utf8) + [0x0D, 0x0A] + bytes + [0x0D, 0x0A]
    }

    /// The last chunk and the end of the (empty) trailer section.
    static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)
}
