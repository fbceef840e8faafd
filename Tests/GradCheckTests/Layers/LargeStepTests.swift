import GradCheck
import Testing

/// At a large step (epsilon 1e-2) the central quotient's own truncation error, about
/// h^2 f''' / 6, is above the threshold: the right backward of a sigmoid or a tanh
/// would be called wrong (the elementwise ones are: their curvature is largest). Judged on Richardson's extrapolation from h and h/2 it passes, with a
/// note saying so, and a gradient 1% off still fails. At the default step nothing changes: a
/// failing check costs no extra evaluation.
@Suite struct LargeStepTests {
    @Test(arguments: [ElementwiseLayer.Function.sigmoid, .tanh])
    func theRightBackwardPassesAtALargeStepAndOnePercentOffFails(_ function: ElementwiseLayer.Function) throws {
        let layer = ElementwiseLayer(function)
        let inputs: LayerInputs = ["x": LayerCheckerTests.random([4, 6], seed: 7, scale: 2)]
        let upstream = [LayerCheckerTests.random([4, 6], seed: 8)]
        let right = layer.backward(inputs, upstream: upstream)
        func check(_ gradients: [String: Tensor], epsilon: Double) throws -> LayerCheckReport {
            try LayerChecker.check(
                layer: layer, inputs: inputs, upstream: upstream, gradients: gradients, epsilon: epsilon, threshold: 1e-7, stop: .none)
        }
        let passed = try check(right, epsilon: 1e-2)
        #expect(passed.passed, "\(function): \(passed.message)")
        #expect(passed.notes.contains { $0.contains("Richardson") }, "\(function): \(passed.notes)")
        let name = layer.gradientInputs.map(\.gradient).first!
        var off = right
        off[name] = 1.01 * right[name]!
        let failed = try check(off, epsilon: 1e-2)
        #expect(!failed.passed && !failed.inconclusive && failed.failed == [name], "\(failed.message)")
        // At the default step a slip is far beyond the curvature term: no second look.
        let atDefault = try check(off, epsilon: 1e-7)
        #expect(!atDefault.passed && !atDefault.inconclusive)
        #expect(atDefault.costEvaluations == (try check(right, epsilon: 1e-7)).costEvaluations)
        #expect(!atDefault.notes.contains { $0.contains("Richardson") })
    }
}
