import Dispatch
import Foundation
import HTTPServer
import Synchronization
import TestSupport

/// A handler that blocks until the test opens it: lets tests hold work "in flight" on purpose,
/// without sleeping.
final class Gate: Sendable {
    let entered = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)

    /// Opens the gate for `count` waiting handlers.
    func open(_ count: Int = 1) {
        for _ in 0..<count { release.signal() }
    }

    /// Waits until a handler has entered (bounded, so a broken server fails instead of hanging).
    func waitForEntry(seconds: Double = 5) -> Bool {
        entered.wait(timeout: .now() + seconds) == .success
    }
}

final class AccessLogRecorder: Sendable {
    private let entries = Mutex<[HTTPAccessLogEntry]>([])
    func record(_ entry: HTTPAccessLogEntry) { entries.withLock { $0.append(entry) } }
    var all: [HTTPAccessLogEntry] { entries.withLock { $0 } }
}

/// A live server on 127.0.0.1, port 0, with the routes the socket tests use.
struct LiveServer {
    let server: HTTPServer
    let port: Int
    let gate = Gate()
    let log = AccessLogRecorder()
    /// Signalled by `/until-cancelled` once its request's cancellation is seen.
    let cancelled = DispatchSemaphore(value: 0)

    static let bigBodyBytes = 32 * 1024 * 1024
    /// Built once for the whole test run (lazily, thread-safely), not once per server.
    static let bigBody = [UInt8](repeating: UInt8(ascii: "x"), count: bigBodyBytes)

    init(memory: MemoryBudget = .unlimited, _ change: (inout HTTPServerConfiguration) -> Void = { _ in }) throws {
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        change(&configuration)
        var router = HTTPRouter()
        router.add("GET", "/healthz", execution: .inline) { _ in HTTPResponse(status: 200, json: "{\"status\":\"ok\"}") }
        router.add("POST", "/echo") { request in
            HTTPResponse(status: 200, headers: ["X-Query": request.query ?? ""], body: request.body)
        }
        router.add("GET", "/big") { _ in HTTPResponse(status: 200, body: LiveServer.bigBody) }
        let gate = self.gate
        router.add("GET", "/block") { _ in
            gate.entered.signal()
            gate.release.wait()
            return HTTPResponse(status: 200, json: "{\"blocked\":false}")
        }
        // Works until its client goes away (at most 5 s), polling like a long computation does.
        let cancelled = self.cancelled
        router.add("GET", "/until-cancelled") { request in
            gate.entered.signal()
            let clock = Stopwatch()
            while clock.seconds < 5 {
                if request.cancellation.isCancelled {
                    cancelled.signal()
                    return HTTPResponse(status: 200, json: "{\"cancelled\":true}")
                }
                usleep(1000)
            }
            return HTTPResponse(status: 200, json: "{\"cancelled\":false}")
        }
        // A streamed body of three chunks.
        router.add("GET", "/stream") { _ in
            HTTPResponse(
                status: 200, headers: ["Content-Type": "text/plain"],
                stream: HTTPBodyStream { writer in
                    for piece in ["a", "bb", "ccc"] { writer.write(Array(piece.utf8)) }
                })
        }
        // Streams 1 KiB chunks until its client goes away (at most 5 s); then signals `cancelled`
        // if both the writer refused and the request's cancellation was raised.
        router.add("GET", "/stream-forever") { request in
            HTTPResponse(
                status: 200,
                stream: HTTPBodyStream { writer in
                    let clock = Stopwatch()
                    while clock.seconds < 5 {
                        if !writer.write([UInt8](repeating: UInt8(ascii: "z"), count: 1024)) {
                            if request.cancellation.isCancelled { cancelled.signal() }
                            return
                        }
                        usleep(1000)
                    }
                })
        }
        let log = self.log
        server = HTTPServer(configuration: configuration, router: router, memory: memory, accessLog: { log.record($0) })
        port = try server.start()
    }

    func client() throws -> RawClient { try RawClient(port: port) }
}

/// Monotonic stopwatch for latency assertions.
struct Stopwatch {
    private let start = DispatchTime.now()
    var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }
}
