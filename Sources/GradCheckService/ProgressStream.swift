import Dispatch
import Foundation
import GradCheck
import HTTPServer
import JSON
import Synchronization

/// `POST /gradcheck` with `Accept: application/x-ndjson`: the check runs on the worker thread
/// while a timer writes a progress line every `interval`,
/// `{"progress": {"done": k, "total": n, "seconds": s, "eta_seconds": e}}` (`eta_seconds` null
/// until something is done), and the last line is the answer `/gradcheck` gives as JSON, or its
/// problem object when the check itself fails (stopped, or no finite verdict). Every refusal of
/// the request comes before the stream, with its own status (`GradCheckAPI.prepare`): the
/// stream only begins for a check that is read, validated, priced and reserved. A client that
/// leaves cancels the check (the request's cancellation, and the writer closing).
public enum ProgressStream {
    /// At least one progress line a second.
    public static let defaultInterval = 0.5

    /// The stream of `prepared`'s check (its memory is released when the check ends).
    static func response(
        api: GradCheckAPI, prepared: PreparedCheck, isCancelled: @escaping @Sendable () -> Bool,
        interval: Double = defaultInterval
    ) -> HTTPResponse {
        stream(interval: interval) { progress, writer in
            api.run(prepared, isCancelled: { isCancelled() || writer.isClosed }, progress: progress)
        }
    }

    /// A stream whose one line is an answer already made (the scalar case's verdict).
    static func response(answered: APIResponse) -> HTTPResponse {
        stream(interval: defaultInterval) { _, _ in answered }
    }

    private static func stream(
        interval: Double, produce: @escaping @Sendable (CheckProgress, HTTPStreamWriter) -> APIResponse
    ) -> HTTPResponse {
        var headers: HTTPHeaders = [:]
        headers.set(name: "Content-Type", value: ReportFormat.ndjson.contentType)
        headers.set(name: "Vary", value: "Accept")
        // Proxies such as nginx buffer answers unless told not to; a progress line must go now.
        headers.set(name: "X-Accel-Buffering", value: "no")
        headers.set(name: "Cache-Control", value: "no-store")
        return HTTPResponse(
            status: 200, headers: headers,
            stream: HTTPBodyStream { writer in
                run(writer: writer, interval: interval, produce: produce)
            })
    }

    /// Keeps progress lines from being written after (or while) the answer is.
    private final class Gate: Sendable {
        let finished = Mutex(false)
    }

    static func run(
        writer: HTTPStreamWriter, interval: Double, produce: (CheckProgress, HTTPStreamWriter) -> APIResponse
    ) {
        let progress = CheckProgress()
        let started = DispatchTime.now().uptimeNanoseconds
        let gate = Gate()
        // A thread of its own, not a Dispatch timer: the engine's concurrentPerform holds every
        // thread of Dispatch's global pool, and a timer handler would wait for the check to end.
        let stopTicking = DispatchSemaphore(value: 0)
        let tickerEnded = DispatchSemaphore(value: 0)
        let ticker = Thread {
            while stopTicking.wait(timeout: .now() + .nanoseconds(Int(interval * 1e9))) == .timedOut {
                gate.finished.withLock { finished in
                    guard !finished else { return }
                    let (done, total) = progress.current
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                    writer.write(line(done: done, total: total, seconds: seconds))
                }
            }
            tickerEnded.signal()
        }
        ticker.start()
        let answer = produce(progress, writer)
        gate.finished.withLock { $0 = true }
        stopTicking.signal()
        tickerEnded.wait()
        let last = answer.problem.map(writer.rendered) ?? answer.body
        writer.write(last + [0x0A])
    }

    static func line(done: Int, total: Int, seconds: Double) -> [UInt8] {
        var w = JSONWriter(capacity: 128)
        w.beginObject()
        w.key("progress")
        w.beginObject()
        w.key("done")
        w.integer(done)
        w.key("total")
        w.integer(total)
        w.key("seconds")
        try? w.number((seconds * 1000).rounded() / 1000)
        w.key("eta_seconds")
        if done > 0 && total >= done {
            try? w.number((seconds * Double(total - done) / Double(done) * 1000).rounded() / 1000)
        } else {
            w.null()
        }
        w.endObject()
        w.endObject()
        return w.bytes + [0x0A]
    }
}
