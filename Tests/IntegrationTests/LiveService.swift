import Foundation
import GradCheck
import GradCheckService
import HTTPServer

/// The real service on 127.0.0.1, port 0, built by the same function the executable calls.
final class LiveService: Sendable {
    let server: HTTPServer
    let base: String

    let port: Int

    init(
        configure: (inout ServerOptions) -> Void = { _ in },
        accessLog: (@Sendable (HTTPAccessLogEntry) -> Void)? = nil
    ) throws {
        var options = ServerOptions()
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

/// Request bodies and expected answers from Tests/Fixtures (the numpy reference vectors).
enum Bodies {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    static var notebook: [UInt8] { [UInt8](try! Data(contentsOf: fixtures.appendingPathComponent("notebook.json"))) }

    static var expected: [String: Any] {
        try! JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent("notebook-expected.json")))
            as! [String: Any]
    }

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
        var generator = SplitMix64(seed: seed)
        func matrix(_ rows: Int, _ cols: Int, scale: Double) -> [[Double]] {
            (0..<rows).map { _ in (0..<cols).map { _ in generator.nextGaussian() * scale } }
        }
        var parameters: [String: Any] = [:]
        for l in 1..<widths.count {
            parameters["W\(l)"] = matrix(widths[l], widths[l - 1], scale: 1 / Double(widths[l - 1]).squareRoot())
            parameters["b\(l)"] = matrix(widths[l], 1, scale: 0.1)
        }
        let labels = [(0..<m).map { _ in Double(generator.nextIndex(below: 2)) }]
        return json(["X": matrix(widths[0], m, scale: 1), "Y": labels, "parameters": parameters])
    }

    static func object(_ response: CurlResponse) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
    }
}
