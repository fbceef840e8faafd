import Foundation
import GradCheck
import GradCheckService
import HTTPServer
import TestSupport

/// The real service on 127.0.0.1, port 0, built by the same function the executable calls.
final class LiveService: Sendable {
    let server: HTTPServer
    let base: String

    let port: Int

    init(
        configure: (inout ServiceConfiguration) -> Void = { _ in },
        accessLog: (@Sendable (HTTPAccessLogEntry) -> Void)? = nil
    ) throws {
        var options = ServiceConfiguration()
        options.host = "127.0.0.1"
        options.port = 0
        configure(&options)
        server = GradCheckApplication.makeServer(options, accessLog: accessLog)
        port = try server.start()
        base = "http://127.0.0.1:\(port)"
    }

    func url(_ path: String) -> String { base + path }

    func stop() { server.stop() }
}

/// Request bodies and expected answers: the notebook's body from scripts/examples, the numpy
/// reference vectors from Tests/Fixtures.
enum Bodies {
    static var notebook: [UInt8] { [UInt8](try! Data(contentsOf: Fixtures.examples.appendingPathComponent("notebook.json"))) }

    static var expected: [String: Any] { try! Fixtures.expected() }

    static var notebookObject: [String: Any] { try! JSONSerialization.jsonObject(with: Data(notebook)) as! [String: Any] }

    static func json(_ object: Any) -> [UInt8] { [UInt8](try! JSONSerialization.data(withJSONObject: object)) }

    /// The notebook body with top-level members added or replaced.
    static func notebook(with extra: [String: Any]) -> [UInt8] {
        var body = notebookObject
        for (key, value) in extra { body[key] = value }
        return json(body)
    }

    /// The notebook body with one parameter replaced.
    static func notebook(parameter key: String, _ value: Any) -> [UInt8] {
        var body = notebookObject
        var parameters = body["parameters"] as! [String: Any]
        parameters[key] = value
        body["parameters"] = parameters
        return json(body)
    }

    /// A random relu network of the given widths with m examples, as a request body.
    static func randomNetwork(_ widths: [Int], examples m: Int, seed: UInt64) -> [UInt8] {
        json(TestProblem.random(widths: widths, m: m, seed: seed).requestBody)
    }

    static func object(_ response: CurlResponse) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
    }
}
