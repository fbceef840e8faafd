import Foundation
import TestSupport

@testable import GradCheck

/// The course's forward and backward computed entirely in Swift's Float, as a student's float32
/// numpy or C code would: the honest gradients whose only error is float32 rounding.
enum Float32Backward {
    /// The network, inputs and labels rounded to float32 (what such a caller sends).
    static func rounded(_ problem: TestProblem) -> TestProblem {
        func round(_ m: Matrix) -> Matrix { Matrix(rows: m.rows, cols: m.cols, values: m.values.map { Double(Float($0)) }) }
        var network = problem.network
        for l in network.layers.indices {
            network.layers[l].weights = round(network.layers[l].weights)
            network.layers[l].bias = round(network.layers[l].bias)
        }
        return TestProblem(network: network, x: round(problem.x), y: round(problem.y))
    }

    /// dW_l and db_l in float32 (sigmoid output, the course's "sum" convention).
    static func gradients(_ problem: TestProblem) -> Gradients {
        let network = problem.network
        let m = problem.x.cols
        typealias F = [Float]
        func matmul(_ a: F, _ b: F, _ n: Int, _ k: Int, _ p: Int) -> F {
            var c = F(repeating: 0, count: n * p)
            for i in 0..<n {
                for j in 0..<p {
                    var s: Float = 0
                    for t in 0..<k { s += a[i * k + t] * b[t * p + j] }
                    c[i * p + j] = s
                }
            }
            return c
        }
        func transpose(_ a: F, _ rows: Int, _ cols: Int) -> F {
            var t = F(repeating: 0, count: a.count)
            for r in 0..<rows { for c in 0..<cols { t[c * rows + r] = a[r * cols + c] } }
            return t
        }
        func g(_ z: Float) -> Float {
            switch network.activation {
            case .relu: z > 0 ? z : 0
            case .leakyRelu: z > 0 ? z : 0.01 * z
            case .tanh: Foundation.tanh(z)
            case .sigmoid: 1 / (1 + Foundation.exp(-z))
            }
        }
        func gPrime(_ z: Float, _ a: Float) -> Float {
            switch network.activation {
            case .relu: z > 0 ? 1 : 0
            case .leakyRelu: z > 0 ? 1 : 0.01
            case .tanh: 1 - a * a
            case .sigmoid: a * (1 - a)
            }
        }
        let widths = [problem.x.rows] + network.layers.map(\.weights.rows)
        var A: [F] = [problem.x.values.map(Float.init)]
        var Z: [F] = []
        for (index, layer) in network.layers.enumerated() {
            let l = index + 1
            var z = matmul(layer.weights.values.map(Float.init), A[l - 1], widths[l], widths[l - 1], m)
            for r in 0..<widths[l] { for c in 0..<m { z[r * m + c] += Float(layer.bias.values[r]) } }
            Z.append(z)
            A.append(l == network.depth ? z.map { 1 / (1 + Foundation.exp(-$0)) } : z.map(g))
        }
        var tensors: [ParameterID: Matrix] = [:]
        var dZ = zip(A[network.depth], problem.y.values).map { $0 - Float($1) }
        for l in stride(from: network.depth, through: 1, by: -1) {
            let dW = matmul(dZ, transpose(A[l - 1], widths[l - 1], m), widths[l], m, widths[l - 1]).map { $0 / Float(m) }
            let db = (0..<widths[l]).map { r in (0..<m).reduce(Float(0)) { $0 + dZ[r * m + $1] } / Float(m) }
            tensors[ParameterID(layer: l, kind: .weight)] = Matrix(rows: widths[l], cols: widths[l - 1], values: dW.map(Double.init))
            tensors[ParameterID(layer: l, kind: .bias)] = Matrix(rows: widths[l], cols: 1, values: db.map(Double.init))
            guard l > 1 else { break }
            let w = network.layers[l - 1].weights.values.map(Float.init)
            let dA = matmul(transpose(w, widths[l], widths[l - 1]), dZ, widths[l - 1], widths[l], m)
            dZ = (0..<dA.count).map { dA[$0] * gPrime(Z[l - 2][$0], A[l - 1][$0]) }
        }
        return Gradients(tensors: tensors)
    }
}
