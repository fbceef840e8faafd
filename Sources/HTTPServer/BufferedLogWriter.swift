import Dispatch
import Foundation
import Synchronization

/// Log lines (the access log, lifecycle lines) appended to a buffer and written to a descriptor
/// in batches by a thread of its own, like nginx's `access_log ... buffer=64k flush=100ms`: the
/// I/O thread that answers a request only formats its line into memory, and one `write(2)`
/// carries many lines.
///
/// A batch is written when the buffer holds `capacity` bytes, at least every `flushInterval`
/// while lines wait, and on `flush()` (after a lifecycle line, and at drain and exit). Nothing is
/// dropped: when the writer thread cannot keep up (a stalled pipe) and `limit` bytes wait, the
/// appender writes them itself and so waits for the pipe, as an unbuffered log would.
/// Batches reach the descriptor in the order their lines were appended.
///
///     let log = BufferedLogWriter(fileDescriptor: 1)
///     log.append { bytes in bytes.append(contentsOf: "GET / 200\n".utf8) }
///     log.write(line: "stopped", flush: true)
public final class BufferedLogWriter: Sendable {
    public static let defaultFlushInterval = Duration.milliseconds(100)
    public static let defaultCapacity = 64 * 1024

    private struct Pending {
        var bytes: [UInt8] = []
        /// An emptied batch kept for reuse, so a steady log allocates no new buffers.
        var spare: [UInt8] = []
        /// The writer thread was woken for a full buffer and has not yet taken it.
        var wakeRequested = false
        var closed = false
    }

    private let fd: Int32
    public let capacity: Int
    /// Waiting bytes past which an appender writes them itself (back-pressure, never a drop).
    public let limit: Int
    public let flushInterval: Duration
    private let pending = Mutex(Pending())
    /// Held while one batch is taken and written: batches cannot overtake each other.
    private let writing = Mutex(())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    /// Starts the writer thread. `fileDescriptor` stays the caller's: it is not closed.
    public init(fileDescriptor: Int32, capacity: Int = defaultCapacity, flushInterval: Duration = defaultFlushInterval) {
        fd = fileDescriptor
        self.capacity = max(1, capacity)
        limit = 16 * self.capacity
        self.flushInterval = flushInterval
        pending.withLock { $0.bytes.reserveCapacity(self.capacity + self.capacity / 4) }
        let thread = Thread { [self] in run() }
        thread.name = "BufferedLogWriter"
        thread.start()
    }

    /// Formats one or more lines straight into the buffer (`format` appends their bytes, each
    /// ending in a newline). Cheap: the caller's thread never makes a system call unless the
    /// writer thread is `limit` bytes behind.
    public func append(_ format: (inout [UInt8]) -> Void) {
        let (wakeWriter, overLimit) = pending.withLock { state -> (Bool, Bool) in
            format(&state.bytes)
            let full = state.bytes.count >= capacity
            let wakeWriter = full && !state.wakeRequested
            if wakeWriter { state.wakeRequested = true }
            return (wakeWriter, state.bytes.count >= limit)
        }
        if wakeWriter { wake.signal() }
        if overLimit { flush() }
    }

    /// `line` and a newline; written at once (with everything before it) when `flush` is true.
    public func write(line: String, flush flushNow: Bool = false) {
        append { bytes in
            bytes.append(contentsOf: line.utf8)
            bytes.append(UInt8(ascii: "\n"))
        }
        if flushNow { flush() }
    }

    /// Writes every line appended so far, on the caller's thread, and returns once they are
    /// written (at drain, before exit, after a lifecycle line).
    public func flush() {
        writing.withLock { _ in
            var batch = pending.withLock { state -> [UInt8] in
                state.wakeRequested = false
                guard !state.bytes.isEmpty else { return [] }
                let batch = state.bytes
                state.bytes = state.spare
                state.spare = []
                return batch
            }
            guard !batch.isEmpty else { return }
            _ = batch.withUnsafeBytes { Socket.writeAll(fd, $0) }
            // Nothing bigger than the flush threshold (plus a line's slack) is kept for reuse.
            guard batch.capacity <= 2 * capacity else { return }
            batch.removeAll(keepingCapacity: true)
            pending.withLock { state in
                if state.spare.capacity < batch.capacity { state.spare = batch }
            }
        }
    }

    /// Flushes and stops the writer thread; lines appended afterwards are written by the caller
    /// (`append` past the limit) or by the next `flush()`. For tests and orderly exits.
    public func close() {
        let first = pending.withLock { state -> Bool in
            defer { state.closed = true }
            return !state.closed
        }
        guard first else { return }
        wake.signal()
        finished.wait()
        flush()
    }

    private func run() {
        let interval = flushInterval.dispatchInterval
        while true {
            _ = wake.wait(timeout: .now() + interval)
            flush()
            if pending.withLock({ $0.closed }) { break }
        }
        finished.signal()
    }
}
