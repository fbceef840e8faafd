import Foundation
import GradCheckService
import HTTPServer
import Testing

/// Where one test body's requests go (Hummingbird's `Application+Test` pattern): straight into the
/// application's router in this process, or over a socket to a live server on 127.0.0.1 through
/// libcurl. A test that takes `Transport.allCases` as its arguments runs the same assertions both
/// ways, so the pure endpoints and what reaches the wire cannot drift apart unnoticed.
enum Transport: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case inProcess = "in-process"
    case live

    var testDescription: String { rawValue }
}

/// A client on one transport; `close()` stops the server it started, if any.
final class ServiceClient {
    private let router: HTTPRouter?
    private let service: LiveService?
    private let curl: CurlClient?

    init(_ transport: Transport) throws {
        switch transport {
        case .inProcess:
            let options = ServiceConfiguration()
            router = GradCheckApplication.router(api: GradCheckAPI(limits: ComputeLimits(maxOperations: options.maxOperations)))
            service = nil
            curl = nil
        case .live:
            router = nil
            service = try LiveService()
            curl = try CurlClient()
        }
    }

    /// POSTs `body` with `headers` (name, value).
    func post(_ path: String, body: [UInt8], headers: [(String, String)] = []) throws -> CurlResponse {
        try exchange(.post, path, body: body, headers: headers)
    }

    func post(_ path: String, json: String) throws -> CurlResponse { try post(path, body: Array(json.utf8)) }

    func get(_ path: String) throws -> CurlResponse { try exchange(.get, path, body: [], headers: []) }

    private func exchange(_ method: HTTPMethod, _ path: String, body: [UInt8], headers: [(String, String)]) throws -> CurlResponse {
        if let router {
            var fields: HTTPHeaders = [:]
            for (name, value) in headers { fields.set(name: name, value: value) }
            let response = router.respond(to: HTTPRequest(method: method, path: path, headers: fields, body: body))
            return CurlResponse(
                status: response.status.code, headers: response.headers.map { ($0.name, $0.value) }, body: response.body,
                seconds: 0, newConnections: 0)
        }
        let url = service!.url(path)
        let lines = headers.map { "\($0.0): \($0.1)" }
        return method == .get ? try curl!.get(url, headers: lines) : try curl!.post(url, body: body, headers: lines)
    }

    func close() { service?.stop() }
}
