import Foundation
import GradCheck

/// The numpy reference vectors committed in Tests/Fixtures, read relative to this file so the
/// tests run on a clean clone.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    static func matrix(_ value: Any) -> Matrix {
        let rows = (value as! [Any]).map { row -> [Double] in
            if let list = row as? [Any] { return list.map { ($0 as! NSNumber).doubleValue } }
            return [(row as! NSNumber).doubleValue]
        }
        return Matrix(nested: rows)!
    }

    static func matrices(_ value: Any) -> [String: Matrix] {
        (value as! [String: Any]).mapValues(matrix)
    }

    /// notebook.json: X, Y and parameters of the notebook's gradient_check_n_test_case.
    static func notebook() throws -> (x: Matrix, y: Matrix, parameters: [String: Matrix], network: Network) {
        let d = try json("notebook.json")
        let x = matrix(d["X"]!)
        let y = matrix(d["Y"]!)
        let parameters = matrices(d["parameters"]!)
        let network = try NetworkBuilder.network(parameters: parameters, inputs: x, labels: y)
        return (x, y, parameters, network)
    }

    static func expected() throws -> [String: Any] { try json("notebook-expected.json") }
}

/// Small random networks from a seeded generator, for property-style tests.
enum RandomNetworks {
    static func make(
        sizes: [Int], examples m: Int, activation: Activation, output: OutputLayer, lambd: Double,
        seed: UInt64
    ) -> (network: Network, x: Matrix, y: Matrix) {
        var g = SplitMix64(seed: seed)
        func random(_ rows: Int, _ cols: Int, scale: Double) -> Matrix {
            Matrix(rows: rows, cols: cols, values: (0..<(rows * cols)).map { _ in g.nextGaussian() * scale })
        }
        var layers: [Layer] = []
        for l in 1..<sizes.count {
            let scale = 1 / Double(sizes[l - 1]).squareRoot()
            layers.append(Layer(weights: random(sizes[l], sizes[l - 1], scale: 1.5 * scale), bias: random(sizes[l], 1, scale: 0.3)))
        }
        let x = random(sizes[0], m, scale: 1)
        let units = sizes[sizes.count - 1]
        var y = Matrix(rows: units, cols: m)
        for c in 0..<m {
            if output == .softmax {
                y[g.nextIndex(below: units), c] = 1
            } else {
                for r in 0..<units { y[r, c] = g.nextUnit() < 0.5 ? 1 : 0 }
            }
        }
        return (Network(layers: layers, activation: activation, output: output, lambd: lambd), x, y)
    }
}

/// |a - b| <= tolerance * max(|a|, |b|)
func relativelyClose(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool {
    abs(a - b) <= tolerance * max(abs(a), abs(b))
}

func maxAbsDifference(_ a: Matrix, _ b: Matrix) -> Double {
    precondition(a.shape == b.shape)
    return zip(a.values, b.values).map { abs($0 - $1) }.max() ?? 0
}
