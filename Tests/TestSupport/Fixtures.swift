import Foundation
import GradCheck

/// The files the tests read: the numpy reference vectors and fuzz corpora in Tests/Fixtures and the
/// request bodies in scripts/examples (the notebook's body, notebook.json, is only there). Found relative to this source file, so the tests run on a
/// clean clone from any working directory.
public enum Fixtures {
    /// Tests/Fixtures.
    public static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// scripts/examples: the bodies the README, the scripts and the page's users send.
    public static let examples = directory.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/examples")

    /// A file below Tests/Fixtures, e.g. `url("fuzz-corpus/http")`.
    public static func url(_ relativePath: String) -> URL { directory.appendingPathComponent(relativePath) }

    public static func bytes(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(relativePath)))
    }

    /// A fixture whose top level is a JSON object.
    public static func json(_ relativePath: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url(relativePath)))
        guard let dictionary = object as? [String: Any] else { throw FixtureError.notAnObject(relativePath) }
        return dictionary
    }

    /// A numpy `.tolist()` value as a matrix: nested rows, or a flat list read as one column.
    public static func matrix(_ value: Any) -> Matrix {
        let rows = (value as! [Any]).map { row -> [Double] in
            if let list = row as? [Any] { return list.map { ($0 as! NSNumber).doubleValue } }
            return [(row as! NSNumber).doubleValue]
        }
        return Matrix(nested: rows)!
    }

    public static func matrices(_ value: Any) -> [String: Matrix] {
        (value as! [String: Any]).mapValues(matrix)
    }

    /// A `parameters` object by its parsed names (W1, b1, ...).
    public static func parameters(_ value: Any) -> [ParameterID: Matrix] {
        Dictionary(uniqueKeysWithValues: matrices(value).map { (ParameterID(name: $0.key)!, $0.value) })
    }

    /// A `gradients` object by its parsed names (dW1, db1, dZ1, dA0, ...).
    public static func gradients(_ value: Any) -> [GradientName: Matrix] {
        Dictionary(uniqueKeysWithValues: matrices(value).map { (GradientName($0.key)!, $0.value) })
    }

    /// scripts/examples/notebook.json: X, Y and parameters of the notebook's gradient_check_n_test_case.
    public static func notebook() throws -> (x: Matrix, y: Matrix, parameters: [ParameterID: Matrix], network: Network) {
        let d = try json("../../scripts/examples/notebook.json")
        let x = matrix(d["X"]!)
        let y = matrix(d["Y"]!)
        let parameters = Self.parameters(d["parameters"]!)
        let network = try NetworkBuilder.network(parameters: parameters, inputs: x, labels: y)
        return (x, y, parameters, network)
    }

    /// notebook-expected.json: what numpy computed for notebook.json (cost, gradients, differences).
    public static func expected() throws -> [String: Any] { try json("notebook-expected.json") }
}

public enum FixtureError: Error, CustomStringConvertible {
    case notAnObject(String)

    public var description: String {
        switch self {
        case .notAnObject(let path): "\(path) is not a JSON object"
        }
    }
}
