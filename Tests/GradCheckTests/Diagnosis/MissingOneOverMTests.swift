import TestSupport
import Testing

@testable import GradCheck

/// Every dW and db m times too large, with the notebook's intermediates (dZ_L = A_L - Y): both
/// conventions reproduce the numbers; the caller's own (sum) is read, and the other is mentioned.
@Suite struct MissingOneOverMTests {
    let checker = GradientChecker(engine: FastEngine(threads: 1))

    @Test(arguments: [true, false])
    func everyParameterMissingOneOverMIsNamedInTheNotebooksConvention(allIntermediates: Bool) throws {
        let m = 5
        let problem = TestProblem.random(widths: [4, 5, 3, 1], m: m, activation: .relu, output: .sigmoid, seed: 4)
        var mistakes: [CourseBackward.Mistake] = []
        for l in 1...3 {
            mistakes.append(.scale(GradientName(layer: l, kind: .weight), Double(m)))
            mistakes.append(.scale(GradientName(layer: l, kind: .bias), Double(m)))
        }
        let course = CourseBackward(network: problem.network, x: problem.x, y: problem.y, convention: .sum, mistakes: mistakes)
        var tensors: [ParameterID: Matrix] = [:]
        var sent: IntermediateGradients = [:]
        for (name, value) in course.gradients() {
            if let id = name.parameter {
                tensors[id] = value
            } else if allIntermediates || name == GradientName(layer: 3, kind: .preActivation) {
                sent[name] = value
            }
        }
        let report = try checker.check(
            problem.network, inputs: problem.x, labels: problem.y, gradients: Gradients(tensors: tensors), intermediates: sent,
            stop: .none)
        #expect(!report.passed)
        #expect(report.diagnosis.convention == .sum)
        let roots = report.diagnosis.rootCauses
        #expect(roots.count == 1)
        #expect(roots.first?.kind == .scaled)
        #expect(roots.first?.factor == Double(m))
        #expect(roots.first?.message.contains("every dW and db") == true)
        #expect(roots.first?.message.contains("missing the 1/m") == true)
        #expect(roots.first?.message.contains("CS231n's convention") == true)
        #expect(report.diagnosis.propagated.isEmpty)
    }

    /// The same slip in one layer only is not this tie: it stays that layer's root cause.
    @Test func oneLayerMissingOneOverMStaysItsOwnRootCause() throws {
        let m = 5
        let problem = TestProblem.random(widths: [4, 5, 3, 1], m: m, activation: .relu, output: .sigmoid, seed: 4)
        let course = CourseBackward(
            network: problem.network, x: problem.x, y: problem.y, convention: .sum,
            mistakes: [.scale(GradientName(layer: 2, kind: .weight), Double(m))])
        var tensors: [ParameterID: Matrix] = [:]
        var sent: IntermediateGradients = [:]
        for (name, value) in course.gradients() {
            if let id = name.parameter { tensors[id] = value } else { sent[name] = value }
        }
        let report = try checker.check(
            problem.network, inputs: problem.x, labels: problem.y, gradients: Gradients(tensors: tensors), intermediates: sent,
            stop: .none)
        #expect(report.diagnosis.rootCauses.map(\.gradient.name) == ["dW2"])
        #expect(report.diagnosis.rootCauses.first?.message.contains("every dW") == false)
    }
}
