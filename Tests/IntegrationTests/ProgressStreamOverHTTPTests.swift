import Foundation
import GradCheck
import Testing

/// `Accept: application/x-ndjson` over a live socket with libcurl: progress lines arrive (as
/// chunks, while the check runs) before the answer, which is the last line.
@Suite struct ProgressStreamOverHTTPTests {
    /// A tanh network whose full check takes about 0.1-0.2 s in a debug build: well inside the
    /// time its price allows (at least 1 s) even when the test suites share busy cores.
    static func tanhBody(examples m: Int) -> [UInt8] {
        var object =
            try! JSONSerialization.jsonObject(with: Data(Bodies.randomNetwork([48, 48, 24, 1], examples: m, seed: 9))) as! [String: Any]
        object["activation"] = "tanh"
        return Bodies.json(object)
    }

    static func lines(_ response: CurlResponse) -> [(object: [String: Any], arrived: UInt64)] {
        var result: [(object: [String: Any], arrived: UInt64)] = []
        var start = 0
        for (i, byte) in response.body.enumerated() where byte == 0x0A {
            let line = Data(response.body[start..<i])
            let arrived = response.arrivals.first { $0.length > i }!.nanoseconds
            if let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any] { result.append((object, arrived)) }
            start = i + 1
        }
        return result
    }

    @Test func progressLinesArriveBeforeTheAnswer() throws {
        let service = try LiveService { $0.progressInterval = 0.01 }
        defer { service.stop() }
        let client = try CurlClient()
        let response = try client.post(
            service.url("/gradcheck"), body: Self.tanhBody(examples: 16),
            headers: ["Accept: application/x-ndjson"])
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/x-ndjson")
        #expect(response.header("Transfer-Encoding") == "chunked")
        let lines = Self.lines(response)
        let answer = try #require(lines.last)
        #expect(answer.object["difference"] is Double, "the last line is the answer: \(response.text.suffix(300))")
        #expect(answer.object["passed"] as? Bool == true)
        let progress = lines.dropLast().compactMap { line in (line.object["progress"] as? [String: Any]).map { ($0, line.arrived) } }
        #expect(progress.count == lines.count - 1, "every line before the answer is a progress line")
        #expect(progress.count >= 3, "\(progress.count) progress lines in \(response.seconds) s")
        var lastDone = 0
        for (p, arrived) in progress {
            let done = try #require(p["done"] as? Int)
            let total = try #require(p["total"] as? Int)
            #expect(done >= lastDone && done <= total)
            #expect(p["seconds"] is Double || p["seconds"] is Int)
            #expect(arrived < answer.arrived, "a progress line arrived before the answer")
            lastDone = done
        }
        // The progress lines came while the check ran, not in one piece with the answer.
        let first = try #require(progress.first)
        #expect(
            answer.arrived - first.1 > 15_000_000,
            "\(Double(answer.arrived - first.1) / 1e9) s between the first progress line and the answer")
        // The connection is kept alive after a streamed answer.
        let next = try client.post(service.url("/gradcheck"), body: Bodies.notebook)
        #expect(next.status == 200 && next.newConnections == 0)
    }

    @Test func anUnreadableBodyIsAnsweredBeforeAnyStream() throws {
        let service = try LiveService()
        defer { service.stop() }
        let response = try CurlClient().post(
            service.url("/gradcheck"), body: Array(#"{"X": [[1]], "epsilion": 1}"#.utf8),
            headers: ["Accept: application/x-ndjson"])
        #expect(response.status == 422)
        #expect(response.header("Content-Type") == "application/problem+json")
    }

    @Test func anErrorEndsTheStreamWithTheProblem() throws {
        let service = try LiveService { $0.progressInterval = 0.05 }
        defer { service.stop() }
        let client = try CurlClient()
        let response = try client.post(
            service.url("/gradcheck"), body: Bodies.notebook(parameter: "W2", [[1.0, 2.0]]),
            headers: ["Accept: application/x-ndjson"])
        #expect(response.status == 200)
        let last = try #require(Self.lines(response).last)
        #expect(last.object["status"] as? Int == 422)
        #expect((last.object["detail"] as? String)?.contains("W2") == true)
    }
}
