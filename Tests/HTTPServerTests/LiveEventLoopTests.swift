import Dispatch
import Foundation
import TestSupport
import Testing

@testable import HTTPServer

/// The server with 1, 2 and 4 event loops: connections spread over the loops, and the connection
/// cap, idle eviction, idle timeout, drain and gauges stay exact across them.
@Suite(.serialized) struct LiveEventLoopTests {
    private let host = "Host: 127.0.0.1\r\n"

    @Test(arguments: [1, 2, 4]) func connectionsSpreadOverTheLoopsAndAreCountedExactly(loops: Int) throws {
        let live = try LiveServer { $0.ioThreads = loops }
        defer { live.server.stop() }
        #expect(live.server.eventLoopCount == loops)
        let clients = try (0..<(2 * loops + 1)).map { _ in try live.client() }
        for (index, client) in clients.enumerated() {
            for round in 0..<3 {
                try client.send("POST /echo?c=\(index)&r=\(round) HTTP/1.1\r\n\(host)Content-Length: 2\r\n\r\nhi")
                let response = try client.readResponse()
                #expect(response.status == 200 && response.text == "hi" && response.header("X-Query") == "c=\(index)&r=\(round)")
            }
        }
        // Handed out in turn: every loop has two, the first one more.
        #expect(live.server.connectionsPerLoop == (0..<loops).map { $0 == 0 ? 3 : 2 })
        #expect(live.server.connectionCount == clients.count && live.server.gauges.connectionsOpen == clients.count)
        #expect(live.log.all.count == 3 * clients.count && live.log.all.allSatisfy { $0.status == 200 })
        for client in clients { client.close() }
        #expect(eventually { live.server.connectionCount == 0 && live.server.gauges.connectionsOpen == 0 })
        #expect(live.server.gauges.inFlight == 0)
    }

    @Test(arguments: [1, 2, 4]) func theConnectionCapAndIdleEvictionHoldAcrossLoops(loops: Int) throws {
        let live = try LiveServer {
            $0.ioThreads = loops
            $0.maxConnections = 3
            $0.workerCount = 3  // all three requests running, not queued
        }
        defer { live.server.stop() }
        let clients = try (0..<3).map { _ in try live.client() }
        for client in clients {
            try client.send("GET /block HTTP/1.1\r\n\(host)\r\n")
            #expect(live.gate.waitForEntry())
        }
        #expect(live.server.gauges.inFlight == 3)
        // At the cap with nothing idle on any loop: 503.
        let refused = try live.client()
        let answer = try refused.readResponse()
        #expect(answer.status == 503 && answer.header("Connection") == "close")
        #expect(try refused.serverClosed())
        live.gate.open(3)
        for client in clients { #expect(try client.readResponse().status == 200) }
        // Idle in this order, whatever loop each is on: the first is evicted for a newcomer.
        for client in clients {
            try client.send("GET /healthz HTTP/1.1\r\n\(host)\r\n")
            #expect(try client.readResponse().status == 200)
        }
        let newcomer = try live.client()
        try newcomer.send("GET /healthz HTTP/1.1\r\n\(host)\r\n")
        #expect(try newcomer.readResponse().status == 200)
        #expect(try clients[0].serverClosed())
        for client in clients.dropFirst() {
            try client.send("GET /healthz HTTP/1.1\r\n\(host)\r\n")
            #expect(try client.readResponse().status == 200)
        }
        #expect(live.server.connectionCount == 3 && live.server.gauges.connectionsOpen == 3)
        #expect(live.log.all.filter { $0.rejection == .connections }.count == 1)
    }

    @Test(arguments: [1, 2, 4]) func idleConnectionsTimeOutOnEveryLoop(loops: Int) throws {
        let live = try LiveServer {
            $0.ioThreads = loops
            $0.keepAliveTimeout = .milliseconds(300)
        }
        defer { live.server.stop() }
        let clients = try (0..<(2 * loops)).map { _ in try live.client() }
        for client in clients {
            try client.send("GET /healthz HTTP/1.1\r\n\(host)\r\n")
            #expect(try client.readResponse().status == 200)
        }
        let clock = Stopwatch()
        for client in clients { #expect(try client.serverClosed()) }
        // Below the default timeouts (10 s and more): the configured 300 ms one closed them.
        #expect(clock.seconds < 8, "closed after \(clock.seconds) s")
        #expect(eventually { live.server.gauges.connectionsOpen == 0 })
    }

    @Test(arguments: [1, 2, 4]) func stopDrainsEveryLoop(loops: Int) throws {
        let live = try LiveServer {
            $0.ioThreads = loops
            $0.workerCount = 2
        }
        // Two requests in flight (on two loops when there are two), and an idle connection.
        let busy = try (0..<2).map { _ in try live.client() }
        for client in busy {
            try client.send("GET /block HTTP/1.1\r\n\(host)\r\n")
            #expect(live.gate.waitForEntry())
        }
        let idle = try live.client()
        try idle.send("GET /healthz HTTP/1.1\r\n\(host)\r\n")
        #expect(try idle.readResponse().status == 200)
        let stopped = DispatchSemaphore(value: 0)
        let server = live.server
        Thread.detachNewThread {
            server.stop()
            stopped.signal()
        }
        #expect(try idle.serverClosed())
        #expect(stopped.wait(timeout: .now() + 0.2) == .timedOut, "stop() returned with requests in flight")
        #expect(server.gauges.isDraining && server.gauges.inFlight == 2)
        live.gate.open(2)
        for client in busy {
            let response = try client.readResponse()
            #expect(response.status == 200 && response.header("Connection") == "close")
            client.close()
        }
        #expect(stopped.wait(timeout: .now() + 5) == .success)
        #expect(server.gauges.connectionsOpen == 0 && server.gauges.inFlight == 0 && server.eventLoopCount == 0)
    }
}
