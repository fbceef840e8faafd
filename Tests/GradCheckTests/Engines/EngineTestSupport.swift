import Foundation

@testable import GradCheck

struct TestProblem {
    var network: Network
    var x: Matrix
    var y: Matrix
}

enum EngineTestSupport {
    /// A random network of the given widths with He-scaled weights, inputs and valid labels
    /// (0/1 for sigmoid, one-hot columns for softmax).
    static func randomProblem(
        widths: [Int], m: Int, activation: Activation, output: OutputLayer,
        lambd: Double, seed: UInt64
    ) -> TestProblem {
        var rng = SplitMix64(seed: seed)
        var layers: [Layer] = []
        for l in 1..<widths.count {
            let scale = (2.0 / Double(widths[l - 1])).squareRoot()
            layers.append(
                Layer(
                    weights: Matrix(
                        rows: widths[l], cols: widths[l - 1],
                        values: (0..<(widths[l] * widths[l - 1])).map { _ in rng.nextGaussian() * scale }),
                    bias: Matrix(rows: widths[l], cols: 1, values: (0..<widths[l]).map { _ in rng.nextGaussian() * 0.1 })))
        }
        let x = Matrix(rows: widths[0], cols: m, values: (0..<(widths[0] * m)).map { _ in rng.nextGaussian() })
        let nL = widths[widths.count - 1]
        var y = Matrix(rows: nL, cols: m)
        for c in 0..<m {
            if output == .sigmoid {
                for r in 0..<nL { y[r, c] = Bool.random(using: &rng) ? 1 : 0 }
            } else {
                y[Int.random(in: 0..<nL, using: &rng), c] = 1
            }
        }
        return TestProblem(network: Network(layers: layers, activation: activation, output: output, lambd: lambd), x: x, y: y)
    }

    static func allCoordinates(_ network: Network) -> [Coordinate] {
        network.parameterIDs.flatMap { id -> [Coordinate] in
            let p = network[id]
            return (0..<p.rows).flatMap { r in (0..<p.cols).map { Coordinate(parameter: id, row: r, col: $0) } }
        }
    }

    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent(name))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    static func matrix(_ any: Any?) -> Matrix {
        let nested = (any as! [[Any]]).map { $0.map { ($0 as! NSNumber).doubleValue } }
        return Matrix(nested: nested)!
    }

    /// The notebook's relu/sigmoid network from notebook.json.
    static func notebookProblem() throws -> TestProblem {
        let root = try json("notebook.json")
        let params = root["parameters"] as! [String: Any]
        var layers: [Layer] = []
        var l = 1
        while let w = params["W\(l)"] {
            layers.append(Layer(weights: matrix(w), bias: matrix(params["b\(l)"])))
            l += 1
        }
        return TestProblem(network: Network(layers: layers), x: matrix(root["X"]), y: matrix(root["Y"]))
    }

    /// The notebook's formula: ||g - a|| / (||g|| + ||a||).
    static func difference(_ g: [Double], _ a: [Double]) -> Double {
        var num = 0.0
        var ng = 0.0
        var na = 0.0
        for k in 0..<g.count {
            num += (g[k] - a[k]) * (g[k] - a[k])
            ng += g[k] * g[k]
            na += a[k] * a[k]
        }
        return num.squareRoot() / (ng.squareRoot() + na.squareRoot())
    }
}
