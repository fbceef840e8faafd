import TestSupport
import Testing

@testable import GradCheck

/// The course's backward with each classic mistake planted, checked end to end: which step is the
/// root cause, what kind of mistake it is, its factor, and which gradients only inherit it.
@Suite struct DiagnosisTests {
    let checker = GradientChecker(engine: FastEngine(threads: 1))

    static func problem(
        _ activation: Activation, output: OutputLayer = .sigmoid, lambd: Double = 0, m: Int = 7,
        seed: UInt64 = 3
    ) -> TestProblem {
        TestProblem.random(
            widths: [4, 5, 3, output == .softmax ? 3 : 1], m: m, activation: activation,
            output: output, lambd: lambd, seed: seed)
    }

    struct Outcome {
        let report: GradientCheckReport
        var roots: [RootCause] { report.diagnosis.rootCauses }
        var propagated: [String] { report.diagnosis.propagated.map(\.name) }
    }

    /// Runs the check on the course's backward with `mistakes`, sending the intermediates or not.
    func run(
        _ problem: TestProblem, _ convention: GradientConvention = .sum, intermediates: Bool = true,
        _ mistakes: [CourseBackward.Mistake] = []
    ) throws -> Outcome {
        let course = CourseBackward(network: problem.network, x: problem.x, y: problem.y, convention: convention, mistakes: mistakes)
        let all = course.gradients()
        var tensors: [ParameterID: Matrix] = [:]
        var sent: IntermediateGradients = [:]
        for (name, value) in all {
            if let id = name.parameter { tensors[id] = value } else if intermediates { sent[name] = value }
        }
        let report = try checker.check(
            problem.network, inputs: problem.x, labels: problem.y, gradients: Gradients(tensors: tensors),
            intermediates: sent, stop: .none)
        return Outcome(report: report)
    }

    static let dZ2 = GradientName(layer: 2, kind: .preActivation)
    static let dW2 = GradientName(layer: 2, kind: .weight)
    static let db2 = GradientName(layer: 2, kind: .bias)
    static let dA1 = GradientName(layer: 1, kind: .activation)

    @Test(arguments: Activation.allCases)
    func rightDictsHaveNoRootCauseInEitherConvention(activation: Activation) throws {
        for output in [OutputLayer.sigmoid, .softmax] {
            for lambd in [0.0, 0.7] {
                for convention in GradientConvention.allCases {
                    for intermediates in [true, false] {
                        let outcome = try run(
                            Self.problem(activation, output: output, lambd: lambd), convention, intermediates: intermediates)
                        let context = "\(activation) \(output) lambd \(lambd) \(convention) intermediates \(intermediates)"
                        #expect(outcome.report.passed, "\(context): \(outcome.report.difference)")
                        #expect(outcome.roots.isEmpty && outcome.propagated.isEmpty, "\(context): \(outcome.roots.map(\.message))")
                        #expect(outcome.report.intermediates.allSatisfy { $0.passed }, "\(context)")
                        #expect(outcome.report.diagnosis.convention == (intermediates ? convention : nil), "\(context)")
                        if intermediates { #expect(outcome.report.intermediates.count == 6, "\(context)") }
                    }
                }
            }
        }
    }

    @Test(arguments: Activation.allCases)
    func aScaledStepIsTheRootAndWhatItFeedsIsPropagated(activation: Activation) throws {
        for convention in GradientConvention.allCases {
            let outcome = try run(Self.problem(activation), convention, [.scale(Self.dZ2, 2)])
            let root = try #require(outcome.roots.first, "\(activation) \(convention)")
            #expect(outcome.roots.count == 1)
            #expect(root.gradient == Self.dZ2 && root.kind == .scaled && root.factor == 2 && !root.inferred)
            #expect(root.message.contains("dZ2") && root.message.contains("2 times"))
            #expect(outcome.propagated == ["dW2", "db2", "dA1", "dZ1", "dW1", "db1", "dA0"], "\(outcome.propagated)")
        }
    }

    @Test func theNotebooksTwoMistakesAreTwoRootCauses() throws {
        let outcome = try run(Self.problem(.relu), .sum, [.scale(Self.dW2, 2), .scale(GradientName(layer: 1, kind: .bias), 4)])
        #expect(outcome.roots.map(\.gradient.name) == ["dW2", "db1"])
        #expect(outcome.roots.map(\.factor) == [2, 4])
        #expect(
            outcome.roots[0].message
                == "dZ2 and A1 are right but dW2 is 2 times the right value: the line that computes dW2 multiplies by 2")
        #expect(outcome.propagated.isEmpty)
        // The same without intermediates: each is the only wrong one of its layer.
        let bare = try run(
            Self.problem(.relu), .sum, intermediates: false, [.scale(Self.dW2, 2), .scale(GradientName(layer: 1, kind: .bias), 4)])
        #expect(bare.roots.map(\.gradient.name) == ["dW2", "db1"])
        #expect(bare.roots.allSatisfy { !$0.inferred })
    }

    @Test func oneOverMMissingOrTwiceIsNamed() throws {
        let m = 7
        let missing = try run(Self.problem(.tanh, m: m), .sum, [.scale(Self.dW2, Double(m))])
        #expect(missing.roots.first?.kind == .scaled)
        #expect(missing.roots.first?.message.contains("m = 7") == true && missing.roots.first?.message.contains("1/m") == true)
        let twice = try run(Self.problem(.tanh, m: m), .sum, [.scale(Self.db2, 1 / Double(m))])
        #expect(twice.roots.first?.message.contains("1/m is applied twice") == true, "\(twice.roots.map(\.message))")
    }

    @Test(arguments: [RootCause.Kind.signFlipped, .zero, .transposed, .wrongEntries])
    func theOtherShapesOfMistakeAreRecognised(kind: RootCause.Kind) throws {
        // W2 is 3 x 5: a transpose needs a square tensor, so use dW3's neighbour... dA1 is 5 x m,
        // so plant the transpose on a square network instead.
        var problem = Self.problem(.sigmoid)
        var mistake: CourseBackward.Mistake
        var target = Self.dW2
        switch kind {
        case .signFlipped: mistake = .scale(Self.dW2, -1)
        case .zero:
            mistake = .zero(Self.db2)
            target = Self.db2
        case .transposed:
            problem = TestProblem.random(
                widths: [3, 3, 3, 1], m: 5, activation: .sigmoid, output: .sigmoid, lambd: 0, seed: 8)
            mistake = .transpose(Self.dW2)
        default: mistake = .entries(Self.dW2, [(1, 2)])
        }
        let outcome = try run(problem, .mean, [mistake])
        let root = try #require(outcome.roots.first)
        #expect(root.gradient == target && root.kind == kind, "\(root)")
        if kind == .wrongEntries { #expect(root.entries == [EntryIndex(row: 1, col: 2)]) }
        if kind == .signFlipped { #expect(root.factor == -1) }
        #expect(outcome.propagated.isEmpty)
    }

    @Test func l2MistakesAreTellApart() throws {
        let problem = Self.problem(.relu, lambd: 0.8)
        let missing = try run(problem, .sum, [.missingL2(layer: 2)])
        #expect(missing.roots.map(\.kind) == [.missingL2])
        let half = try run(problem, .sum, [.l2Scaled(layer: 2, factor: 0.5)])
        #expect(half.roots.first?.kind == .l2Scaled && half.roots.first?.factor == 0.5)
        #expect(half.roots.first?.message.contains("lambd / (2m)") == true)
        let bias = try run(problem, .mean, [.l2OnBias(layer: 1)])
        #expect(bias.roots.map(\.kind) == [.l2OnBias])
        #expect(bias.roots.first?.gradient == GradientName(layer: 1, kind: .bias))
    }

    @Test func wrongActivationDerivativesSayWhich() throws {
        let cases: [(Activation, (Double, Double) -> Double, String)] = [
            (.relu, { _, _ in 1 }, "mask"),
            (.tanh, { _, a in 1 - (1 - a * a) * 0 - a }, "square is missing"),
            (.tanh, { z, _ in 1 - z * z }, "formula for A applied to Z"),
            (.sigmoid, { _, a in Activation.sigmoid.derivative(a) }, "at A instead of Z"),
            (.leakyRelu, { z, _ in z > 0 ? 1 : 0 }, "0.01 slope"),
        ]
        for (activation, h, words) in cases {
            let outcome = try run(Self.problem(activation), .sum, [.derivative(layer: 2, h)])
            let root = try #require(outcome.roots.first, "\(activation) \(words)")
            #expect(root.gradient == Self.dZ2 && root.kind == .wrongActivationDerivative, "\(activation): \(root)")
            #expect(root.message.contains(words), "\(activation): \(root.message)")
            #expect(outcome.propagated.contains("dW1"))
            // Without intermediates the step is inferred from dW2 and db2.
            let bare = try run(Self.problem(activation), .sum, intermediates: false, [.derivative(layer: 2, h)])
            let inferred = try #require(bare.roots.first, "\(activation) bare")
            #expect(inferred.gradient == Self.dZ2 && inferred.inferred && inferred.kind == .wrongActivationDerivative, "\(inferred)")
            #expect(bare.propagated == ["dW2", "db2", "dW1", "db1"], "\(bare.propagated)")
        }
    }

    @Test func aMistakeInTheLossGradientIsFoundAtTheTop() throws {
        // dZ3 = (A3 - Y) without the convention's 1/m in "mean": m times too large everywhere.
        // Those intermediates are exactly the notebook's (sum) convention's, with every dW and db
        // m times too large: the tie is read in the convention the intermediates show (sum),
        // and the mean reading (dZ3 m times too large) is said too.
        let outcome = try run(Self.problem(.relu, output: .softmax), .mean, [.scale(GradientName(layer: 3, kind: .preActivation), 7)])
        #expect(outcome.report.diagnosis.convention == .sum)
        let root = try #require(outcome.roots.first)
        #expect(outcome.roots.count == 1)
        #expect(root.kind == .scaled && root.factor == 7)
        #expect(root.message.contains("every dW and db is m = 7 times"))
        #expect(root.message.contains("dZ3 is m times too large"))
        let bare = try run(
            Self.problem(.relu, output: .softmax), .mean, intermediates: false, [.scale(GradientName(layer: 3, kind: .preActivation), 7)])
        #expect(bare.roots.first?.gradient == GradientName(layer: 3, kind: .preActivation) && bare.roots.first?.inferred == true)
        #expect(bare.roots.first?.factor == 7)
    }

    @Test func aSecondMistakeOnTopOfAPropagatedOneIsARootToo() throws {
        let outcome = try run(Self.problem(.tanh), .sum, [.scale(Self.dZ2, 2), .scale(GradientName(layer: 1, kind: .weight), 3)])
        #expect(outcome.roots.map(\.gradient.name) == ["dZ2", "dW1"])
        #expect(outcome.roots.last?.factor == 3)
        #expect(outcome.propagated == ["dW2", "db2", "dA1", "dZ1", "db1", "dA0"])
    }

    @Test func aKinkWithinAHairOfZeroIsNotAMistake() throws {
        // Move one pre-activation of layer 1 to 1e-10: the caller's mask and the service's
        // agree there, and the step of the check straddles the kink.
        var problem = Self.problem(.relu)
        let z = problem.network.forward(problem.x, labels: problem.y).preActivations[0]
        problem.network.layers[0].bias.values[0] -= z[0, 0] - 1e-10
        let outcome = try run(problem, .sum)
        #expect(outcome.report.passed)
        #expect(outcome.roots.isEmpty && outcome.report.intermediates.allSatisfy { $0.passed })
    }

    @Test func moreClassicMistakes() throws {
        // dZ2 = dA2 * A2: the activation instead of its derivative.
        let activationItself = try run(Self.problem(.tanh), .sum, [.derivative(layer: 2, { _, a in a })])
        #expect(activationItself.roots.first?.kind == .wrongActivationDerivative)
        #expect(activationItself.roots.first?.message.contains("the activation itself") == true)
        // np.sum(dZ) without axis=1 in db2.
        let problem = Self.problem(.relu)
        let course = CourseBackward(network: problem.network, x: problem.x, y: problem.y, convention: .sum)
        var all = course.gradients()
        let db2 = all[Self.db2]!
        let total = all[Self.dZ2]!.values.reduce(0, +) / Double(problem.x.cols)
        all[Self.db2] = Matrix(rows: db2.rows, cols: 1, values: [Double](repeating: total, count: db2.rows))
        var tensors: [ParameterID: Matrix] = [:]
        for (name, value) in all { if let id = name.parameter { tensors[id] = value } }
        let report = try checker.check(
            problem.network, inputs: problem.x, labels: problem.y, gradients: Gradients(tensors: tensors), stop: .none)
        #expect(report.diagnosis.rootCauses.first?.gradient == Self.db2)
        #expect(report.diagnosis.rootCauses.first?.message.contains("axis=1") == true, "\(report.diagnosis.rootCauses)")
    }

    @Test(arguments: [OutputLayer.sigmoid, .softmax])
    func theOutputDerivativeAppliedTwiceIsNamed(output: OutputLayer) throws {
        let dZ3 = GradientName(layer: 3, kind: .preActivation)
        for intermediates in [true, false] {
            for convention in GradientConvention.allCases {
                let outcome = try run(
                    Self.problem(.tanh, output: output, lambd: 0.3), convention, intermediates: intermediates, [.outputDerivativeTwice])
                let context = "\(output) \(convention) intermediates \(intermediates)"
                let root = try #require(outcome.roots.first, "\(context)")
                #expect(outcome.roots.count == 1, "\(context): \(outcome.roots.map(\.message))")
                #expect(
                    root.gradient == dZ3 && root.kind == .wrongActivationDerivative && root.inferred == !intermediates,
                    "\(context): \(root)")
                #expect(root.message.contains("A3 - Y already includes it"), "\(context): \(root.message)")
            }
        }
    }

    @Test(arguments: [Activation.relu, .leakyRelu])
    func aMaskTakenFromTheGradientIsNamed(activation: Activation) throws {
        let slope = activation == .relu ? 0 : Activation.leakySlope
        for intermediates in [true, false] {
            let outcome = try run(
                Self.problem(activation, seed: 5), .sum, intermediates: intermediates, [.maskFromGradient(layer: 2, slope: slope)])
            let root = try #require(outcome.roots.first, "\(activation) intermediates \(intermediates)")
            #expect(root.gradient == Self.dZ2 && root.kind == .wrongActivationDerivative, "\(root)")
            #expect(root.message.contains("instead of Z2"), "\(root.message)")
        }
    }

    @Test func aBiasSummedOrAveragedOverEveryAxisIsNamed() throws {
        for mean in [false, true] {
            let outcome = try run(Self.problem(.sigmoid), .sum, [.biasOverEveryAxis(layer: 2, mean: mean)])
            let root = try #require(outcome.roots.first)
            #expect(root.gradient == Self.db2 && root.kind == .wrongAxis, "mean \(mean): \(root)")
            #expect(root.message.contains("axis=1, keepdims=True"))
            #expect(outcome.propagated.isEmpty)
        }
    }

    @Test func aConstantUnrelatedToTheSumIsNotAnAxisMistake() throws {
        let problem = Self.problem(.sigmoid)
        let course = CourseBackward(network: problem.network, x: problem.x, y: problem.y, convention: .sum)
        var all = course.gradients()
        let db2 = all[Self.db2]!
        all[Self.db2] = Matrix(rows: db2.rows, cols: 1, repeating: 0.123)
        var tensors: [ParameterID: Matrix] = [:]
        for (name, value) in all { if let id = name.parameter { tensors[id] = value } }
        let report = try checker.check(
            problem.network, inputs: problem.x, labels: problem.y, gradients: Gradients(tensors: tensors), stop: .none)
        let root = try #require(report.diagnosis.rootCauses.first)
        #expect(root.gradient == Self.db2 && root.kind != .wrongAxis, "\(root)")
    }

    @Test func mostEntriesWrongIsNotAnIndexingSlip() throws {
        // Every entry of a 5-entry db1 off by a different amount: not "a few wrong entries".
        let outcome = try run(Self.problem(.tanh), .sum, [.entries(GradientName(layer: 1, kind: .bias), [(0, 0), (1, 0), (2, 0), (3, 0)])])
        let root = try #require(outcome.roots.first)
        #expect(root.kind != .wrongEntries, "\(root)")
        let few = try run(Self.problem(.tanh), .sum, [.entries(GradientName(layer: 1, kind: .bias), [(3, 0)])])
        #expect(few.roots.first?.kind == .wrongEntries)
    }

    @Test(arguments: [Activation.relu, .tanh, .sigmoid])
    func anotherLayersTensorIsNamed(activation: Activation) throws {
        // Equal hidden widths: every swap below has the right shape, so only the values show it.
        let problem = TestProblem.random(widths: [4, 5, 5, 5, 1], m: 7, activation: activation, lambd: 0.3, seed: 21)
        let cases: [(CourseBackward.Mistake, GradientName, String)] = [
            (.activationsOfLayer(weight: 3, uses: 1), GradientName(layer: 3, kind: .weight), "by A1^T instead of A2^T"),
            (.weightsOfLayer(activation: 1, uses: 3), GradientName(layer: 1, kind: .activation), "uses W3^T instead of W2^T"),
            (.derivativeAtLayer(2, uses: 3), GradientName(layer: 2, kind: .preActivation), "g'(Z3) instead of g'(Z2)"),
        ]
        for (mistake, target, phrase) in cases {
            let outcome = try run(problem, .sum, [mistake])
            let root = try #require(outcome.roots.first, "\(activation) \(mistake)")
            #expect(root.gradient == target && root.kind == .wrongLayer, "\(activation): \(root)")
            #expect(root.message.contains(phrase), "\(root.message)")
        }
        // Without the intermediates, the derivative at the wrong layer is still found, inferred.
        let bare = try run(problem, .sum, intermediates: false, [.derivativeAtLayer(2, uses: 3)])
        let inferred = try #require(bare.roots.first)
        #expect(
            inferred.gradient == GradientName(layer: 2, kind: .preActivation) && inferred.inferred && inferred.kind == .wrongLayer,
            "\(inferred)")
    }
}
