import TestSupport
import Testing

@testable import GradCheck

/// Gradients computed honestly in float32 fail the notebook's 1e-7 and pass once the caller says
/// they are float32; a real mistake still fails at float32; the verdict says which rule decided.
@Suite struct PrecisionFloorTests {
    let checker = GradientChecker(engine: FastEngine(threads: 1))

    static let problems: [TestProblem] = [
        // Narrow networks over many examples: each dW entry is a float32 sum over m examples, so
        // its honest error (about sqrt(m) u) clears the notebook's 1e-7, while the check stays cheap.
        (Activation.relu, [16, 16, 8, 1], 4096), (.tanh, [8, 8, 8, 1], 2048), (.sigmoid, [8, 6, 4, 1], 2048),
        (.leakyRelu, [16, 8, 1], 4096),
    ].enumerated().map { index, spec in
        Float32Backward.rounded(
            TestProblem.random(
                widths: spec.1, m: spec.2, activation: spec.0, output: .sigmoid,
                lambd: 0, seed: UInt64(10 + index)))
    }

    private func check(_ problem: TestProblem, _ gradients: Gradients, _ precision: Precision) throws -> GradientCheckReport {
        var options = GradientCheckOptions()
        options.precision = precision
        return try checker.check(problem.network, inputs: problem.x, labels: problem.y, gradients: gradients, options: options, stop: .none)
    }

    @Test(arguments: 0..<4)
    func honestFloat32GradientsPassAsFloat32AndFailAsFloat64(index: Int) throws {
        let problem = Self.problems[index]
        let gradients = Float32Backward.gradients(problem)
        let strict = try check(problem, gradients, .float64)
        #expect(!strict.passed, "float64 rule: difference \(strict.difference)")
        #expect(strict.notes.contains { $0.contains("\"dtype\": \"float32\"") }, "\(strict.notes)")
        #expect(strict.explanation.hasPrefix("failed"))
        #expect(!strict.explanation.contains("float64 rounding"), "\(strict.explanation)")
        let lenient = try check(problem, gradients, .float32)
        #expect(lenient.passed, "difference \(lenient.difference), floor \(lenient.floor)")
        #expect(lenient.floor > strict.floor * 1e8)
        #expect(lenient.explanation.contains("consistent with float32 rounding") || lenient.explanation.contains("notebook's rule"))
        #expect(lenient.parameters.allSatisfy { $0.passed })
    }

    @Test(arguments: 0..<4)
    func aOnePercentMistakeStillFailsAtFloat32(index: Int) throws {
        let problem = Self.problems[index]
        var gradients = Float32Backward.gradients(problem)
        let w1 = ParameterID(layer: 1, kind: .weight)
        gradients.tensors[w1] = gradients.tensors[w1]!.scaled(by: 1.01)
        let report = try check(problem, gradients, .float32)
        #expect(!report.passed, "difference \(report.difference), floor \(report.floor)")
        #expect(report.parameters.first { $0.id == w1 }?.passed == false)
        #expect(report.explanation.contains("above what float32 rounding explains"), "\(report.explanation)")
    }

    @Test func passingFloat32GradientsWithoutDtypeGetTheNoteAndAFloat32Explanation() throws {
        // Few examples: the honest float32 error stays under the notebook's 1e-7, so the check
        // passes as float64, but its difference is float32 rounding and the answer says so.
        // The first of a few seeded networks whose float32 rounding stays under 1e-7.
        let candidates = (20..<40).map { seed in
            Float32Backward.rounded(
                TestProblem.random(widths: [4, 5, 3, 1], m: 3, activation: .tanh, output: .sigmoid, lambd: 0, seed: UInt64(seed)))
        }
        let checked = try candidates.map { ($0, try check($0, Float32Backward.gradients($0), .float64)) }
        let (problem, report) = try #require(checked.first { $0.1.passed }, "no seed passes at float64")
        #expect(report.difference > 1e3 * report.floor, "difference \(report.difference), floor \(report.floor)")
        #expect(report.notes.contains { $0.contains("float32 rounding") && $0.contains("\"dtype\": \"float32\"") }, "\(report.notes)")
        #expect(report.explanation.hasPrefix("passed by the notebook's rule"))
        #expect(report.explanation.contains("float32 values") && !report.explanation.contains("float64 rounding"), "\(report.explanation)")
        // The same network's float64 gradients: no float32 note, float64's sentence.
        let exact = checker.check(problem.network, inputs: problem.x, labels: problem.y)
        #expect(exact.passed && !exact.notes.contains { $0.contains("float32") })
        #expect(exact.explanation.contains("rounding in float64"))
    }

    @Test func float64ChecksKeepTheNotebooksRuleAndExplainIt() throws {
        let problem = TestProblem.random(widths: [5, 4, 1], m: 6, activation: .tanh, output: .sigmoid, lambd: 0, seed: 2)
        let report = checker.check(problem.network, inputs: problem.x, labels: problem.y)
        #expect(report.passed && report.floor < 1e-13)
        #expect(report.explanation.hasPrefix("passed by the notebook's rule"))
        #expect(report.parameters.allSatisfy { $0.band == .good })
    }

    @Test func cs231nBands() {
        #expect(VerdictRule.Band(maxRelativeError: 1e-9, kinks: 0) == .good)
        #expect(VerdictRule.Band(maxRelativeError: 1e-5, kinks: 2) == .acceptableWithKinks)
        #expect(VerdictRule.Band(maxRelativeError: 1e-5, kinks: 0) == .uncomfortable)
        #expect(VerdictRule.Band(maxRelativeError: 1e-3, kinks: 2) == .uncomfortable)
        #expect(VerdictRule.Band(maxRelativeError: 0.5, kinks: 0) == .wrong)
        #expect(VerdictRule.Band(maxRelativeError: .nan, kinks: 0) == .wrong)
    }

    @Test func formatsKnowTheirOwnNumbers() {
        #expect(Precision.float32.represents([0.5, Double(Float(0.1))]))
        #expect(!Precision.float32.represents([0.1]))
        #expect(Precision.bfloat16.represents([1.5, 0.25]))
        #expect(!Precision.bfloat16.represents([1 + 0x1p-10]))
        #expect(Precision.float16.represents([1 + 0x1p-10]))
    }
}
