import Foundation
import GradCheck
import GradCheckService
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

    /// Bodies every answer refuses, and the server options that make them refusals: each is
    /// refused with the same 4xx/503 status, as problem+json with its request id, whether the
    /// client asked for JSON or for the NDJSON stream (no stream is begun).
    static let refusals: [(name: String, body: [UInt8], configure: @Sendable (inout ServiceConfiguration) -> Void)] = [
        ("epsilon 5", Bodies.notebook(with: ["epsilon": 5]), { _ in }),
        ("label 2", Bodies.notebook(with: ["Y": [[2, 0, 1]]]), { _ in }),
        ("only matching nothing", Bodies.notebook(with: ["only": ["W9"]]), { _ in }),
        ("W2 misshapen", Bodies.notebook(parameter: "W2", [[1.0, 2.0]]), { _ in }),
        ("over --max-work", Bodies.notebook, { $0.maxOperations = 10 }),
        ("over the memory budget", tanhBody(examples: 512), { $0.maxMemory = 1 << 20 }),
    ]

    @Test(arguments: 0..<refusals.count)
    func everyRefusalHasItsStatusBeforeAnyStream(index: Int) throws {
        let refusal = Self.refusals[index]
        let service = try LiveService(configure: refusal.configure)
        defer { service.stop() }
        let client = try CurlClient()
        let json = try client.post(service.url("/gradcheck"), body: refusal.body)
        let stream = try client.post(
            service.url("/gradcheck"), body: refusal.body, headers: ["Accept: application/x-ndjson"])
        #expect(json.status >= 400, "\(refusal.name): \(json.status)")
        #expect(stream.status == json.status, "\(refusal.name): NDJSON \(stream.status), JSON \(json.status)")
        #expect(stream.header("Content-Type") == "application/problem+json", "\(refusal.name)")
        #expect(stream.header("Transfer-Encoding") == nil, "\(refusal.name): no stream was begun")
        let problem = try #require(try JSONSerialization.jsonObject(with: Data(stream.body)) as? [String: Any])
        #expect(problem["status"] as? Int == stream.status)
        let id = try #require(problem["request_id"] as? String, "\(refusal.name): \(stream.text)")
        #expect(id == stream.header("X-Request-Id"))
    }

    @Test func aCheckThatFailsOnceRunningEndsTheStreamWithItsProblem() throws {
        // Inputs whose forward pass overflows: priced and reserved like any other, so the stream
        // begins; the check then has no finite verdict, and its problem is the last line.
        let service = try LiveService { $0.progressInterval = 0.05 }
        defer { service.stop() }
        let response = try CurlClient().post(
            service.url("/gradcheck"), body: Bodies.notebook(with: ["X": [[1e308, 1e308, 1e308], [1, 2, 3], [1, 2, 3], [1, 2, 3]]]),
            headers: ["Accept: application/x-ndjson"])
        let json = try CurlClient().post(
            service.url("/gradcheck"), body: Bodies.notebook(with: ["X": [[1e308, 1e308, 1e308], [1, 2, 3], [1, 2, 3], [1, 2, 3]]]))
        #expect(json.status == 422)
        #expect(response.status == 200)
        let last = try #require(Self.lines(response).last)
        #expect(last.object["status"] as? Int == 422, "\(response.text.suffix(300))")
        #expect(last.object["request_id"] as? String == response.header("X-Request-Id"), "the problem line names its request")
    }
}
