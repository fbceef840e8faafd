import GradCheck
import TestSupport
import Testing

/// The notebook's own test case against the numpy reference vectors.
@Suite struct NotebookTests {
    @Test func costMatchesNumpy() throws {
        let (x, y, _, network) = try Fixtures.notebook()
        let cost = network.forward(x, labels: y).cost
        let expected = try Fixtures.expected()["cost"] as! Double
        #expect(relativelyClose(cost, expected, 1e-12), "cost \(cost) vs \(expected)")
    }

    @Test func everyGradientTensorMatchesNumpy() throws {
        let (x, y, _, network) = try Fixtures.notebook()
        let gradients = network.gradients(inputs: x, labels: y).gradients.named
        let expected = Fixtures.matrices(try Fixtures.expected()["gradients"]!)
        #expect(Set(expected.keys).isSubset(of: Set(gradients.keys)))
        for (key, tensor) in expected {
            let diff = maxAbsDifference(gradients[key]!, tensor)
            #expect(diff < 1e-9, "\(key) max |diff| = \(diff)")
        }
    }

    @Test func buggyGradientsFlaggedWithRatios() throws {
        let (x, y, _, network) = try Fixtures.notebook()
        let buggy = try Fixtures.expected()["notebook_buggy_gradients"] as! [String: Any]
        let gradients = try NetworkBuilder.gradients(Fixtures.gradients(buggy["gradients"]!), for: network, examples: x.cols)
        let report = GradientChecker().check(network, inputs: x, labels: y, gradients: gradients)
        #expect(relativelyClose(report.difference, 0.2850931567761623, 1e-6), "difference \(report.difference)")
        #expect(!report.passed)
        #expect(report.message == "There is a mistake in the backward propagation! difference = \(report.difference)")
        #expect(report.failedParameters == ["b1", "W2"])
        let byName = Dictionary(uniqueKeysWithValues: report.parameters.map { ($0.name, $0) })
        #expect(byName["W2"]?.diagnosis == "dW2 is 2.000 times the numerical gradient")
        #expect(byName["b1"]?.diagnosis == "db1 is 4.000 times the numerical gradient")
        #expect(abs(byName["W2"]!.ratio! - 2) < 1e-6)
        #expect(abs(byName["b1"]!.ratio! - 4) < 1e-6)
        #expect(relativelyClose(byName["W2"]!.difference, 1.0 / 3.0, 1e-6))
        #expect(relativelyClose(byName["b1"]!.difference, 0.6, 1e-6))
    }

    @Test func correctGradientsPassWithDefaults() throws {
        let (x, y, _, network) = try Fixtures.notebook()
        let report = GradientChecker().check(network, inputs: x, labels: y)
        #expect(report.passed, "difference \(report.difference)")
        #expect(report.difference < 1e-12, "difference \(report.difference)")
        #expect(report.message == "Your backward propagation works perfectly fine! difference = \(report.difference)")
        #expect(report.parameters.map(\.name) == ["W1", "b1", "W2", "b2", "W3", "b3"])
        #expect(report.parameters.allSatisfy { $0.passed })
        #expect(report.costEvaluations == 2 * network.parameterCount)
        #expect(report.checkedCount == 47)
        #expect(report.epsilon == 1e-7 && report.threshold == 1e-7 && report.method == .central)
    }

    /// Two full forward passes and a subtraction (`ReferenceEngine(strategy: .notebook)`, with the
    /// logits-form loss) leave ~1e-9 of rounding noise (numpy's log of rounded sigmoids: 1.19e-7);
    /// carrying exact cost changes (the default) removes it down to ~1e-16.
    @Test func notebookStrategyShowsTheRoundingNoise() throws {
        let (x, y, _, network) = try Fixtures.notebook()
        let noisy = GradientChecker(engine: ReferenceEngine(strategy: .notebook)).check(network, inputs: x, labels: y)
        let exact = GradientChecker().check(network, inputs: x, labels: y)
        print("notebook.json correct gradients: notebook strategy \(noisy.difference), exact changes \(exact.difference)")
        #expect(noisy.difference > 1e-11 && noisy.difference < 1e-7)
        #expect(exact.difference < 1e-13)
    }

    @Test func scalarCase() {
        #expect(ScalarCase.forward(x: 2, theta: 4) == 8)
        #expect(ScalarCase.backward(x: 2, theta: 4) == 2)
        let result = ScalarCase.gradientCheck(x: 2, theta: 4)
        #expect(relativelyClose(result.difference, 2.919335883291695e-10, 1e-6), "\(result.difference)")
        #expect(result.passed)
        #expect(result.message == "The gradient is correct!")
        let wrong = ScalarCase.gradientCheck(x: 2, theta: 4, threshold: 1e-12)
        #expect(!wrong.passed && wrong.message == "The gradient is wrong!")
    }
}
