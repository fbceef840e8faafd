import Foundation
import TestSupport
import Testing

@testable import GradCheck

/// When rounding cannot tell a right gradient from a wrong one the answer is inconclusive, never
/// passed; a tensor is judged on its own scale; float16's subnormals are in its floor.
@Suite struct InconclusiveVerdictTests {
    let checker = GradientChecker(engine: FastEngine(threads: 1))

    private func check(
        _ network: Network, _ x: Matrix, _ y: Matrix, _ gradients: Gradients?, method: DifferenceMethod = .central,
        precision: Precision = .float64, only: Set<ParameterID>? = nil
    ) throws -> GradientCheckReport {
        var options = GradientCheckOptions(method: method)
        options.precision = precision
        options.only = only
        return try checker.check(network, inputs: x, labels: y, gradients: gradients, options: options, stop: .none)
    }

    private static func gradients(_ tensors: [(ParameterID, [[Double]])]) -> Gradients {
        var g = Gradients(tensors: [:])
        for (id, rows) in tensors { g.tensors[id] = Matrix(rows: rows.count, cols: rows[0].count, values: rows.flatMap { $0 }) }
        return g
    }

    static let w1 = ParameterID(layer: 1, kind: .weight)
    static let b1 = ParameterID(layer: 1, kind: .bias)

    /// One sigmoid unit with logit `bias` on inputs 1, 2, 3 and labels 1: sigmoid(36) is 1 in
    /// float64, so an honest backward's A - Y is rounding. The exact gradient is -sigmoid(-b) times
    /// the mean input (dW1) and -sigmoid(-b) (db1).
    static func saturatedSigmoid(bias: Double) -> (Network, Matrix, Matrix, exact: Gradients) {
        let network = Network(
            layers: [Layer(weights: Matrix(rows: 1, cols: 1, values: [0]), bias: Matrix(rows: 1, cols: 1, values: [bias]))],
            output: .sigmoid)
        let q = logistic(-bias)
        return (
            network, Matrix(rows: 1, cols: 3, values: [1, 2, 3]), Matrix(rows: 1, cols: 3, values: [1, 1, 1]),
            gradients([(w1, [[-2 * q]]), (b1, [[-q]])])
        )
    }

    @Test(arguments: [36.0, 38.0, 45.0])
    func aSaturatedSigmoidIsInconclusiveForWrongGradients(bias: Double) throws {
        let (network, x, y, exact) = Self.saturatedSigmoid(bias: bias)
        let zero = Self.gradients([(Self.w1, [[0]]), (Self.b1, [[0]])])
        var flipped = exact
        for id in [Self.w1, Self.b1] { flipped.tensors[id] = exact.tensors[id]!.scaled(by: -1) }
        for (name, g) in [("zero", zero), ("sign-flipped", flipped), ("own backward", nil)] {
            let report = try check(network, x, y, g)
            #expect(!report.passed && report.inconclusive, "\(name): \(report.difference), floor \(report.floor)")
            #expect(report.message.hasPrefix("The check is inconclusive"), "\(report.message)")
            #expect(report.message.contains("complex-step"))
            #expect(report.floor * VerdictRule.safetyFactor >= VerdictRule.undecidableLimit)
            #expect(report.parameters.allSatisfy { !$0.passed })
        }
    }

    @Test(arguments: [DifferenceMethod.central, .complexStep])
    func theExactGradientPassesAtASaturatedOutput(method: DifferenceMethod) throws {
        // The numerical side is exact there (the loss in log-sigmoid form), so a gradient within
        // the threshold of it has earned its pass.
        let (network, x, y, exact) = Self.saturatedSigmoid(bias: 36)
        let report = try check(network, x, y, exact, method: method)
        #expect(report.passed && !report.inconclusive, "\(report.difference)")
        #expect(report.difference < 1e-12, "\(report.difference)")
    }

    @Test func aSaturatedSoftmaxIsInconclusiveWhereItIsSaturatedAndFailsWhereItIsNot() throws {
        // Class 0 at logit 40: p0 is 1 in float64; class 1's p1 = e^-40 is accurate.
        let network = Network(
            layers: [Layer(weights: Matrix(rows: 2, cols: 1, values: [0, 0]), bias: Matrix(rows: 2, cols: 1, values: [40, 0]))],
            output: .softmax)
        let x = Matrix(rows: 1, cols: 3, values: [1, 2, 3])
        let y = Matrix(rows: 2, cols: 3, values: [1, 1, 1, 0, 0, 0])
        let p1 = exp(-40.0) / (1 + exp(-40.0))
        let exact = Self.gradients([(Self.w1, [[-2 * p1], [2 * p1]]), (Self.b1, [[-p1], [p1]])])
        #expect(try check(network, x, y, exact, method: .complexStep).passed)
        // The saturated row zeroed: rounding explains it, and a wrong one alike.
        let saturatedRowZero = Self.gradients([(Self.w1, [[0], [2 * p1]]), (Self.b1, [[0], [p1]])])
        let report = try check(network, x, y, saturatedRowZero)
        #expect(!report.passed && report.inconclusive, "\(report.difference), floor \(report.floor)")
        // The unsaturated row sign-flipped: p1 is known to its last digit, so that is a failure.
        let flippedRow = Self.gradients([(Self.w1, [[-2 * p1], [-2 * p1]]), (Self.b1, [[-p1], [-p1]])])
        let failed = try check(network, x, y, flippedRow)
        #expect(!failed.passed && !failed.inconclusive)
        #expect(failed.failedParameters == ["W1", "b1"])
    }

    /// A deep sigmoid (or tanh) network whose first tensor's gradient is far below 1e-10 of the
    /// whole: a sign-flipped dW1 fails on its own scale, alone and with every tensor.
    @Test(arguments: [(Activation.sigmoid, 20, 0.3), (.tanh, 30, 0.2)])
    func aTinyWrongTensorFailsOnItsOwnScale(activation: Activation, depth: Int, scale: Double) throws {
        var problem = TestProblem.random(
            widths: Array(repeating: 3, count: depth) + [1], m: 4, activation: activation, output: .sigmoid, seed: 5)
        for l in problem.network.layers.indices {
            problem.network.layers[l].weights = problem.network.layers[l].weights.scaled(by: scale)
        }
        let (network, x, y) = problem.parts
        var g = network.gradients(inputs: x, labels: y).gradients
        let first = Norms.euclidean(g.tensors[Self.w1]!.values)
        let last = Norms.euclidean(g.tensors[ParameterID(layer: depth, kind: .weight)]!.values)
        #expect(first < 1e-10 * last, "dW1 is \(first / last) of dW\(depth)")
        let honest = try check(network, x, y, g)
        #expect(honest.passed && honest.parameters.allSatisfy(\.passed))
        g.tensors[Self.w1] = g.tensors[Self.w1]!.scaled(by: -1)
        for only in [nil, Set([Self.w1])] {
            let report = try check(network, x, y, g, only: only)
            let w1 = try #require(report.parameters.first { $0.id == Self.w1 })
            #expect(!w1.passed && !w1.inconclusive && w1.difference > 0.99, "\(w1.difference)")
            #expect(w1.band == .wrong)
            #expect(!report.passed && report.failedParameters == ["W1"], "\(report.explanation)")
        }
    }

    @Test func perTensorVerdictsNeverContradictTheirBand() throws {
        for seed in UInt64(0)..<6 {
            let problem = TestProblem.random(widths: [4, 5, 3, 1], m: 8, activation: .tanh, output: .sigmoid, seed: seed)
            let (network, x, y) = problem.parts
            var g = network.gradients(inputs: x, labels: y).gradients
            let id = ParameterID(layer: 1 + Int(seed % 3), kind: seed % 2 == 0 ? .weight : .bias)
            g.tensors[id]!.values[0] *= -3
            let report = try check(network, x, y, g)
            for tensor in report.parameters {
                #expect(!(tensor.passed && tensor.band == .wrong), "\(tensor.name) passed in band wrong")
                #expect(!(tensor.passed && tensor.inconclusive))
            }
        }
    }

    /// float16 as numpy computes it: every operation rounded to float16.
    static func float16Backward(_ xs: [Double], bias: Double) -> (dW: Double, db: Double) {
        let b = Float16(bias)
        var dW = Float16(0)
        var db = Float16(0)
        for xv in xs {
            let x = Float16(xv)
            let z = x + b
            let a = Float16(1) / (Float16(1) + Float16(Foundation.exp(Float(-z))))
            dW += a * x
            db += a
        }
        let m = Float16(Float(xs.count))
        return (Double(dW / m), Double(db / m))
    }

    static let float16Inputs = [0.0002999305725097656, 0.00044989585876464844, 0.0005998611450195312, 0.0008997917175292969]

    static func float16Problem(_ xs: [Double], bias: Double) -> (Network, Matrix, Matrix) {
        let network = Network(
            layers: [Layer(weights: Matrix(rows: 1, cols: 1, values: [1]), bias: Matrix(rows: 1, cols: 1, values: [bias]))],
            output: .sigmoid)
        return (network, Matrix(rows: 1, cols: xs.count, values: xs), Matrix(rows: 1, cols: xs.count))
    }

    @Test func anHonestFloat16GradientAmongTheSubnormalsPasses() throws {
        let (network, x, y) = Self.float16Problem(Self.float16Inputs, bias: -7)
        let g = Self.gradients([(Self.w1, [[4.76837158203125e-07]]), (Self.b1, [[0]])])
        let report = try check(network, x, y, g, precision: .float16, only: [Self.w1])
        #expect(report.passed && !report.inconclusive, "\(report.difference), floor \(report.floor): \(report.explanation)")
        #expect(report.difference > report.threshold, "passed by the floor, not the threshold")
        #expect(report.parameters[0].band != .wrong)
        // The floor holds the subnormal spacing: without it (float64's N^2 underflows) it is ~1e-4.
        #expect(report.floor > 1e-2)
    }

    @Test(arguments: [0.1, 0.3, 1, 3, 10, 30], [-5.0, -7, -9])
    func honestFloat16ChecksNeverFailAtSmallScales(scale: Double, bias: Double) throws {
        let xs = Self.float16Inputs.map { Double(Float16($0 * scale)) }
        let (network, x, y) = Self.float16Problem(xs, bias: bias)
        let (dW, db) = Self.float16Backward(xs, bias: bias)
        let honest = Self.gradients([(Self.w1, [[dW]]), (Self.b1, [[db]])])
        let report = try check(network, x, y, honest, precision: .float16)
        #expect(report.passed || report.inconclusive, "\(report.difference), floor \(report.floor)")
        #expect(
            report.parameters.allSatisfy { $0.passed || $0.inconclusive }, "\(report.parameters.map { ($0.name, $0.difference, $0.floor) })"
        )
        // A gradient three times too large, or sign-flipped (a difference of 1/2 or more), is
        // never passed (`VerdictRule.undecidableLimit`).
        for factor in [3.0, -1] {
            let wrong = try check(
                network, x, y, Self.gradients([(Self.w1, [[factor * dW]]), (Self.b1, [[factor * db]])]), precision: .float16)
            #expect(!wrong.passed)
            #expect(wrong.parameters.allSatisfy { !$0.passed }, "x\(factor)")
        }
    }

    @Test func subnormalSpacingsAndLeastNormals() {
        #expect(Precision.float16.subnormalSpacing == 0x1p-24 && Precision.float16.leastNormal == 0x1p-14)
        #expect(Precision.float32.subnormalSpacing == 0x1p-149 && Precision.float32.leastNormal == 0x1p-126)
        #expect(Precision.float64.leastNormal == 0x1p-1022)
        #expect(Precision.bfloat16.leastNormal == 0x1p-126)
    }

    @Test func theVerdictRuleSaysWhenNumbersCannotDecide() {
        #expect(VerdictRule.outcome(difference: 1e-8, threshold: 1e-7, floor: 0.5) == .passed)
        #expect(VerdictRule.outcome(difference: 0.9, threshold: 1e-7, floor: 0.1) == .inconclusive)
        #expect(VerdictRule.outcome(difference: 0.9, threshold: 1e-7, floor: 0.06) == .failed)
        #expect(VerdictRule.outcome(difference: 0.03, threshold: 1e-7, floor: 0.04) == .passed)
        #expect(VerdictRule.outcome(difference: .nan, threshold: 1e-7, floor: 0.5) == .failed)
    }
}
