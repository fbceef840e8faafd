import Foundation
import GradCheckService
import HTTPServer

/// The fuzz targets: each takes one input's bytes and must return without crashing. A target
/// that finds a broken promise (a 500, a body that is not JSON) calls `fatalError`, so libFuzzer
/// records the input as a crash and the replay tool reproduces it.
///
/// To add a target: a case here, a line in `run`, a seed directory
/// `Tests/Fixtures/fuzz-corpus/<case name>/`; `dev/fuzz.sh <case name>` then works as is.
enum FuzzTarget: String, CaseIterable {
    /// `JSONReader.parse` on the raw bytes (the JSON module alone: `JSONFuzzTargets.swift`).
    case json
    /// `RequestReader.read`, then `GradCheckAPI` forward, backward and gradcheck, on the raw
    /// bytes as a request body.
    case api
    /// The bytes as one JSON number: when the reader accepts it, it must be the same Double as
    /// the standard library's parser gives (the reader's promise of correct rounding).
    case number
    /// The bytes as what a client sent on one connection: `HTTPRequestParser` must return
    /// requests whose `consumed` lies inside the bytes, or a 4xx/5xx error, and give the same
    /// answer when the bytes arrive in two reads as when they arrive in one.
    case http

    /// A small compute budget: the fuzzer should explore parsing and validation, not spend
    /// seconds in one large gradient check the real budget would allow.
    static let endpoints = GradCheckAPI(limits: ComputeLimits(maxOperations: 1e6))

    func run(_ bytes: [UInt8]) {
        switch self {
        case .json: Self.readJSON(bytes)
        case .api: Self.callEndpoints(bytes)
        case .number: Self.compareNumber(bytes)
        case .http: Self.parseRequests(bytes)
        }
    }

    private static func callEndpoints(_ bytes: [UInt8]) {
        // Errors are expected answers; only a crash, a hang or a sanitizer report is a finding.
        _ = try? RequestReader.read(bytes)
        check(endpoints.forward(bytes), "forward", bytes)
        check(endpoints.backward(bytes), "backward", bytes)
        check(endpoints.gradcheck(bytes), "gradcheck", bytes)
    }

    private static func parseRequests(_ bytes: [UInt8]) {
        if let broken = HTTPParserContract.violation(in: bytes) { fatalError(broken) }
    }

    /// The API contract for any body: 200 with JSON, or a 400/422 problem; never a 500.
    private static func check(_ response: APIResponse, _ endpoint: String, _ bytes: [UInt8]) {
        let allowed: Set<Int> = [200, 400, 422]
        guard allowed.contains(response.status) else {
            fatalError("\(endpoint): status \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
        let expectedType = response.status == 200 ? "application/json" : "application/problem+json"
        guard response.contentType == expectedType else {
            fatalError("\(endpoint): status \(response.status) with content type \(response.contentType)")
        }
        guard (try? JSONSerialization.jsonObject(with: Data(response.body))) is [String: Any] else {
            fatalError("\(endpoint): body is not a JSON object: \(String(decoding: response.body, as: UTF8.self))")
        }
    }
}
