import Foundation
import HTTPServer
import TestSupport
import Testing

/// Real sockets on port 0: timeouts, caps, the worker pool, disconnects and graceful stop.
// Serialized: these measure timeouts and latency, so they should not compete for 2 cores.
@Suite(.serialized) struct LiveLimitsTests {
    private let host = "Host: 127.0.0.1\r\n"

    @Test func clientVanishingMidResponseDoesNotHurtTheServer() throws {
        let live = try LiveServer()
        defer { live.server.stop() }
        let quitter = try live.client()
        try quitter.send("GET /big HTTP/1.1\r\n\(host)\r\n")
        _ = try quitter.read(atLeast: 1000)
        quitter.abort()  // RST while the server still has ~32 MiB to write: EPIPE/ECONNRESET, no SIGPIPE
        let next = try live.client()
        for _ in 0..<2 {
            try next.send("GET /healthz HTTP/1.1\r\n\(host)\r\n")
            #expect(try next.readResponse().status == 200)
        }
        let again = try live.client()
        try again.send("GET /big HTTP/1.1\r\n\(host)\r\n")
        #expect(try again.readResponse().body.count == LiveServer.bigBodyBytes)
    }

    @Test func slowHeaderClientIsTimedOutWhileOthersAreServedPromptly() throws {
        // The timeout is long enough that "promptly" (well before it) holds even under TSan or
        // on a machine busy with other builds.
        let live = try LiveServer { $0.headerTimeout = .seconds(4) }
        defer { live.server.stop() }
        let slow = try live.client()
        let clock = Stopwatch()
        try slow.send("GET /healthz HTTP/1.1\r\nHo")  // and then nothing
        let other = try live.client()
        let otherClock = Stopwatch()
        try other.send("GET /healthz HTTP/1.1\r\n\(host)\r\n")
        #expect(try other.readResponse().status == 200)
        let otherLatency = otherClock.seconds
        #expect(otherLatency < 3, "served in \(otherLatency) s while a slow client was pending")
        #expect(try slow.serverClosed())
        let closedAfter = clock.seconds
        // Below the other timeouts' defaults (10 s and more): only this one can explain the close.
        #expect(closedAfter >= 3.99 && closedAfter < 9, "slow client closed after \(closedAfter) s")
    }

    @Test func slowBodyClientIsTimedOut() throws {
        let live = try LiveServer { $0.bodyTimeout = .milliseconds(300) }
        defer { live.server.stop() }
        let slow = try live.client()
        let clock = Stopwatch()
        try slow.send("POST /echo HTTP/1.1\r\n\(host)Content-Length: 10\r\n\r\nab")
        #expect(try slow.serverClosed())
        // The upper bound is below every default timeout (10 s and more), so only the configured
        // one can explain the close, and far above it, so a loaded machine cannot miss it.
        #expect(clock.seconds >= 0.29 && clock.seconds < 8)
    }

    @Test func idleKeepAliveConnectionIsClosed() throws {
        let live = try LiveServer { $0.keepAliveTimeout = .milliseconds(300) }
        defer { live.server.stop() }
        let client = try live.client()
        try client.send("GET /healthz HTTP/1.1\r\n\(host)\r\n")
        #expect(try client.readResponse().status == 200)
        let clock = Stopwatch()
        #expect(try client.serverClosed())
        #expect(clock.seconds >= 0.25 && clock.seconds < 8, "idle close after \(clock.seconds) s")
    }

    @Test func silentNewConnectionIsClosedAtTheIdleTimeout() throws {
        let live = try LiveServer {
            $0.keepAliveTimeout = .milliseconds(300)
            $0.headerTimeout = .seconds(20)
        }
        defer { live.server.stop() }
        let clock = Stopwatch()
        let client = try live.client()  // sends nothing at all
        #expect(try client.serverClosed())
        #expect(clock.seconds >= 0.25 && clock.seconds < 8, "silent connection closed after \(clock.seconds) s")
    }

    @Test func connectionCapAnswers503AndClosesWhenNoConnectionIsIdle() throws {
        let live = try LiveServer {
            $0.maxConnections = 2
            $0.workerCount = 2  // both requests must be running, not queued
        }
        defer { live.server.stop() }
        let first = try live.client()
        let second = try live.client()
        for client in [first, second] {
            // A request in progress (its handler entered: an event, not a guess), so the
            // connection is not idle and cannot be evicted. (Half a head raced the accept.)
            try client.send("GET /block HTTP/1.1\r\n\(host)\r\n")
            #expect(live.gate.waitForEntry())
        }
        let third = try live.client()
        let refused = try third.readResponse()
        #expect(refused.status == 503)
        #expect(refused.header("Connection") == "close")
        #expect(refused.header("Retry-After") == "1")
        #expect(try third.serverClosed())
        // The first two keep working.
        live.gate.open(2)
        #expect(try first.readResponse().status == 200)
        #expect(try second.readResponse().status == 200)
    }

    @Test func connectionCapClosesTheLongestIdleConnectionToAdmitANewClient() throws {
        let live = try LiveServer { $0.maxConnections = 2 }
        defer { live.server.stop() }
        let first = try live.client()
        let second = try live.client()
        for client in [first, second] {
            try client.send("GET /healthz HTTP/1.1\r\n\(host)\r\n")
            #expect(try client.readResponse().status == 200)
        }
        // Both idle now; `first` has been idle longer.
        let third = try live.client()
        try third.send("GET /healthz HTTP/1.1\r\n\(host)\r\n")
        #expect(try third.readResponse().status == 200)
        #expect(try first.serverClosed())
        try second.send("GET /healthz HTTP/1.1\r\n\(host)\r\n")
        #expect(try second.readResponse().status == 200)
    }

    @Test func lastRequestOnAConnectionSaysClose() throws {
        let live = try LiveServer { $0.maxRequestsPerConnection = 2 }
        defer { live.server.stop() }
        let client = try live.client()
        try client.send("GET /healthz HTTP/1.1\r\n\(host)\r\n")
        #expect(try client.readResponse().header("Connection") == nil)
        try client.send("GET /healthz HTTP/1.1\r\n\(host)\r\n")
        #expect(try client.readResponse().header("Connection") == "close")
        #expect(try client.serverClosed())
    }

    @Test func fullWorkerQueueAnswers503WithRetryAfter() throws {
        let live = try LiveServer {
            $0.workerCount = 1
            $0.workerQueueDepth = 1
        }
        defer { live.server.stop() }
        defer { live.gate.open(3) }
        let running = try live.client()
        try running.send("GET /block HTTP/1.1\r\n\(host)\r\n")
        #expect(live.gate.waitForEntry())
        // One of these waits in the queue, the other finds it full: which one is up to the kernel.
        let a = try live.client()
        let b = try live.client()
        try a.send("GET /block HTTP/1.1\r\n\(host)\r\n")
        try b.send("GET /block HTTP/1.1\r\n\(host)\r\n")
        let cheap = try live.client()
        try cheap.send("GET /healthz HTTP/1.1\r\n\(host)\r\n")
        #expect(try cheap.readResponse().status == 200, "inline health check must not wait for the pool")
        // Whoever got the 503 gets it now, before any worker frees up.
        let refused = try firstAnswer(of: [a, b])
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") == "1")
        live.gate.open(2)
        #expect(try running.readResponse().status == 200)
        let queued = refused.client === a ? b : a
        #expect(try queued.readResponse().status == 200)
    }

    /// Waits for whichever client gets a response first (both sockets are polled, no sleeping).
    private func firstAnswer(of clients: [RawClient]) throws -> (status: Int, header: (String) -> String?, client: RawClient) {
        var fds = clients.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        let ready = poll(&fds, nfds_t(fds.count), 5000)
        guard ready > 0, let index = fds.firstIndex(where: { $0.revents != 0 }) else {
            throw RawClient.Failure(description: "no client got an answer")
        }
        let response = try clients[index].readResponse()
        return (response.status, response.header, clients[index])
    }

    @Test func gracefulStopFinishesTheRequestInFlight() throws {
        let live = try LiveServer {
            $0.lingerTimeout = .seconds(30)
            $0.drainTimeout = .seconds(60)
        }
        let busy = try live.client()
        try busy.send("GET /block HTTP/1.1\r\n\(host)\r\n")
        #expect(live.gate.waitForEntry())
        let idle = try live.client()
        try idle.send("GET /healthz HTTP/1.1\r\n\(host)\r\n")
        #expect(try idle.readResponse().status == 200)

        let stopped = DispatchSemaphore(value: 0)
        let server = live.server
        Thread.detachNewThread {
            server.stop()
            stopped.signal()
        }
        // Idle connections close at once; stop() is still waiting for the blocked handler.
        #expect(try idle.serverClosed())
        #expect(stopped.wait(timeout: .now() + 0.2) == .timedOut, "stop() returned with a request in flight")
        // No longer accepting: connecting fails, or the socket is closed without an answer.
        if let late = try? RawClient(port: live.port) { #expect(try late.serverClosed()) }
        live.gate.open()
        let response = try busy.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "{\"blocked\":false}")
        #expect(response.header("Connection") == "close")
        #expect(try busy.serverClosed())
        busy.close()  // ends the server's linger at once, so stop() need not wait it out
        // The linger is 30 s and the drain deadline 60 s here: a stop() that waited out either
        // would miss this bound, which is generous for a loaded machine.
        #expect(stopped.wait(timeout: .now() + 10) == .success, "stop() waited after the last client left")
        live.server.waitUntilStopped()
    }
}
