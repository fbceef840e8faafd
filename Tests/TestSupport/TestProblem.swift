import GradCheck

/// A network with its inputs and labels: what every check needs.
public struct TestProblem: Sendable {
    public var network: Network
    public var x: Matrix
    public var y: Matrix

    public init(network: Network, x: Matrix, y: Matrix) {
        self.network = network
        self.x = x
        self.y = y
    }

    /// The one random-network generator of the tests: He-scaled weights (variance 2 / fan-in, so
    /// activations keep their scale through depth), small biases, standard normal inputs and valid
    /// labels (0/1 for sigmoid, one-hot columns for softmax). Seeded, so a failure replays.
    public static func random(
        widths: [Int], m: Int, activation: Activation = .relu, output: OutputLayer = .sigmoid,
        lambd: Double = 0, seed: UInt64
    ) -> TestProblem {
        var rng = SplitMix64(seed: seed)
        func gaussian(_ rows: Int, _ cols: Int, scale: Double) -> Matrix {
            Matrix(rows: rows, cols: cols, values: (0..<(rows * cols)).map { _ in rng.nextGaussian() * scale })
        }
        var layers: [Layer] = []
        for l in 1..<widths.count {
            let heScale = (2.0 / Double(widths[l - 1])).squareRoot()
            layers.append(Layer(weights: gaussian(widths[l], widths[l - 1], scale: heScale), bias: gaussian(widths[l], 1, scale: 0.1)))
        }
        let x = gaussian(widths[0], m, scale: 1)
        let units = widths[widths.count - 1]
        var y = Matrix(rows: units, cols: m)
        for c in 0..<m {
            if output == .sigmoid {
                for r in 0..<units { y[r, c] = Bool.random(using: &rng) ? 1 : 0 }
            } else {
                y[Int.random(in: 0..<units, using: &rng), c] = 1
            }
        }
        let network = Network(layers: layers, activation: activation, output: output, lambd: lambd)
        return TestProblem(network: network, x: x, y: y)
    }

    /// The notebook's relu/sigmoid network from scripts/examples/notebook.json.
    public static func notebook() throws -> TestProblem {
        let notebook = try Fixtures.notebook()
        return TestProblem(network: notebook.network, x: notebook.x, y: notebook.y)
    }

    /// The three parts, for `let (network, x, y) = problem.parts`.
    public var parts: (network: Network, x: Matrix, y: Matrix) { (network, x, y) }

    /// The request body the API takes for this problem: X, Y and parameters as nested lists, and
    /// the network's activation, output and lambd.
    public var requestBody: [String: Any] {
        var parameters: [String: Any] = [:]
        for (index, layer) in network.layers.enumerated() {
            parameters["W\(index + 1)"] = layer.weights.nested
            parameters["b\(index + 1)"] = layer.bias.nested
        }
        return [
            "X": x.nested, "Y": y.nested, "parameters": parameters, "activation": network.activation.rawValue,
            "output": network.output.rawValue, "lambd": network.lambd,
        ]
    }
}
