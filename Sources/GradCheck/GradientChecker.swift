import Foundation

/// The notebook's `gradient_check_n` and beyond: compares gradients (the caller's, or this
/// module's own backward) with a numerical estimate and says which tensors are wrong and how.
///
/// The numerical side comes from an injectable `NumericalGradientEngine`; the checker only picks
/// coordinates or directions, passes the method and step through, and judges the numbers.
public struct GradientChecker: Sendable {
    /// Why a check has no verdict.
    public enum CheckFailure: Error, Sendable, Equatable {
        case interrupted(Interruption)
        /// A value the verdict rests on is not finite; the text names it and where.
        case nonFinite(String)
    }

    public let engine: any NumericalGradientEngine

    public init(engine: any NumericalGradientEngine = FastEngine()) {
        self.engine = engine
    }

    /// The notebook's two sentences.
    public static func message(difference: Double, passed: Bool) -> String {
        passed
            ? "Your backward propagation works perfectly fine! difference = \(difference)"
            : "There is a mistake in the backward propagation! difference = \(difference)"
    }

    /// When every coordinate (or direction) was left out as a kink nothing was compared, and
    /// a check that compared nothing has not passed.
    static let inconclusiveMessage =
        "The check is inconclusive: every checked coordinate crosses a ReLU kink, so nothing could be compared; try a smaller epsilon"

    /// The message of a check whose difference is within what rounding explains only because
    /// rounding explains as much for a wrong gradient (`VerdictRule.undecidableLimit`): why, and
    /// what works.
    static func roundingInconclusiveMessage(difference: Double, floor: Double, precision: Precision) -> String {
        "The check is inconclusive: the difference \(difference) is above the threshold, and rounding in \(precision.rawValue) alone can move these gradients by as much as their own size (floor \(WorkEstimate.scientific(floor))), so a right gradient and a wrong one (all zero, sign-flipped, three times too large) would pass alike. "
            + "This happens where the cost's change over epsilon is below the rounding of the values it is computed from: outputs saturated at their labels (sigmoid(36) is 1 in float64, so A_L - Y is rounding), or gradients among the subnormal numbers of \(precision.rawValue). "
            + "What works: the numerical side stays exact here (the service evaluates the loss in log-sigmoid / log-softmax form, for central differences and \"method\": \"complex-step\" alike), so a gradient within the threshold of it passes: compute dZ_L stably (for y = 1, A_L - 1 = -sigmoid(-Z_L)); or check at a less saturated point (smaller weights, biases or inputs, labels the outputs have not reached), or in a wider dtype. A larger epsilon does not help: it changes only the numerical side."
    }

    /// The message of a check in which every tensor is inconclusive on its own.
    static func noTensorDecidesMessage(precision: Precision) -> String {
        "The check is inconclusive: no tensor could be judged (see each tensor's \"inconclusive\"): every entry is at or below what \(precision.rawValue) can tell from zero (its subnormal spacing, or a change over epsilon that underflows), or rounding explains a difference as large as a wrong gradient's. Check at a point where the gradients are not all (near) zero: labels the outputs have not reached, units that are not dead."
    }

    /// Checks `gradients` (shapes must match the network: see `NetworkBuilder.gradients`), or the
    /// network's own backward when nil, to the end whatever it costs. A value that is not finite
    /// makes the difference NaN and the verdict failed; `check(_:...stop:)` says which one.
    public func check(
        _ network: Network, inputs x: Matrix, labels y: Matrix,
        gradients: Gradients? = nil, options: GradientCheckOptions = GradientCheckOptions()
    ) -> GradientCheckReport {
        run(network, inputs: x, labels: y, gradients: gradients, options: options, stop: .none).report
    }

    /// The same check, stopped when `stop` says so, and refused rather than answered when any
    /// value it rests on (an analytic or numerical gradient, a norm) is not finite: a verdict
    /// computed from NaN or infinity would be made up, so there is none.
    ///
    /// With the caller's `gradients`, the intermediates they sent (`dZ_l`, `dA_l`) are checked
    /// numerically too, and the report says which steps of their backward are wrong
    /// (`diagnosis`): not in directional mode, which cannot tell tensors apart.
    public func check(
        _ network: Network, inputs x: Matrix, labels y: Matrix, gradients: Gradients? = nil,
        intermediates: IntermediateGradients = [:],
        options: GradientCheckOptions = GradientCheckOptions(),
        stop: StopSignal
    ) throws(CheckFailure) -> GradientCheckReport {
        var (report, nonFinite, floorModel) = run(network, inputs: x, labels: y, gradients: gradients, options: options, stop: stop)
        if gradients != nil && options.only != nil {
            report.notes.append(
                "root causes need every tensor checked: with \"only\", none are named and the intermediates are not checked")
        } else if let gradients, stop.interruption == nil, nonFinite == nil {
            nonFinite = diagnose(
                &report, network: network, x: x, y: y, gradients: gradients, intermediates: intermediates,
                options: options, floorModel: floorModel, stop: stop)
        }
        if let interruption = stop.interruption { throw .interrupted(interruption) }
        if let nonFinite { throw .nonFinite(nonFinite) }
        return report
    }

    private func run(
        _ network: Network, inputs x: Matrix, labels y: Matrix, gradients: Gradients?,
        options: GradientCheckOptions,
        stop: StopSignal
    ) -> (report: GradientCheckReport, nonFinite: String?, floorModel: RoundingFloor) {
        let started = DispatchTime.now().uptimeNanoseconds
        let (analytic, methodUsed, notes, nonFinite, floorModel) = prepare(
            network, inputs: x, labels: y, gradients: gradients, options: options)
        let measured: (outcome: CheckOutcome, nonFinite: String?)
        switch options.mode {
        case .full, .sample:
            measured = checkCoordinates(
                network, x: x, y: y, analytic: analytic, options: options, method: methodUsed,
                floorModel: floorModel, stop: stop)
        case let .directional(count, seed):
            measured = checkDirections(
                network, x: x, y: y, analytic: analytic, count: max(count, 1), seed: seed,
                options: options, method: methodUsed, floorModel: floorModel, stop: stop)
        }
        let preflightNotes = PreflightNotes.notes(network: network, pass: floorModel.sampledPass, epsilon: Self.centralStep(options))
        let report = GradientCheckReport(
            outcome: measured.outcome,
            settings: CheckSettings(
                epsilon: options.epsilon, threshold: options.threshold, method: options.method, methodUsed: methodUsed,
                mode: options.mode, precision: options.precision),
            leadingNotes: notes, trailingNotes: preflightNotes,
            float32Gradients: Self.sentFloat32Gradients(gradients),
            elapsedSeconds: Self.secondsSince(started))
        return (report, nonFinite ?? measured.nonFinite, floorModel)
    }

    /// The step the notebook's central formula is judged with (pre-flight notes) and the
    /// intermediates are checked with: the check's own step when it is central, the central
    /// default when it is complex-step (whose tiny h subtracts nothing).
    static func centralStep(_ options: GradientCheckOptions) -> Double {
        options.method == .central ? options.epsilon : GradientCheckOptions.defaultEpsilon(for: .central)
    }

    /// Wall-clock seconds since `started` (a `DispatchTime` uptime in nanoseconds).
    static func secondsSince(_ started: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    }

    /// What every coordinate check starts from: the analytic gradients (missing or misshapen
    /// tensors replaced by zeros), the method the engine can run, the notes those two give, the
    /// first non-finite analytic entry, and the rounding model.
    func prepare(_ network: Network, inputs x: Matrix, labels y: Matrix, gradients: Gradients?, options: GradientCheckOptions)
        -> (analytic: Gradients, methodUsed: DifferenceMethod, notes: [String], nonFinite: String?, floorModel: RoundingFloor)
    {
        var analytic = gradients ?? network.gradients(inputs: x, labels: y).gradients
        let methodUsed = engine.supports(options.method) ? options.method : .central
        var notes: [String] = []
        // Release builds use -Ounchecked (no bounds checks), so a tensor that does not fit its
        // parameter is replaced here rather than indexed: compared as zero, and said so.
        for id in network.parameterIDs where analytic[id]?.shape != network[id].shape {
            notes.append("\(id.gradientName) was missing or did not match \(id.name)'s shape \(network[id].shape); it was compared as zero")
            analytic.tensors[id] = Matrix(rows: network[id].rows, cols: network[id].cols)
        }
        var nonFinite: String?
        for id in network.parameterIDs {
            if let bad = analytic[id]?.values.firstIndex(where: { !$0.isFinite }) {
                let cols = network[id].cols
                nonFinite =
                    "the analytic gradient \(id.gradientName) is not finite at [\(bad / cols)][\(bad % cols)]: the backward pass overflows at these parameters and inputs"
                break
            }
        }
        if methodUsed != options.method {
            notes.append("\(options.method.rawValue) is not available in this engine; central differences were used")
        }
        let floorModel = RoundingFloor(
            network: network, inputs: x, labels: y, threads: ProcessInfo.processInfo.activeProcessorCount,
            leastNormal: options.precision.leastNormal)
        return (analytic, methodUsed, notes, nonFinite, floorModel)
    }

    /// The caller sent gradients, and every entry of them is a float32 value: the report then
    /// says when float32 rounding would explain a failed float64 verdict.
    static func sentFloat32Gradients(_ gradients: Gradients?) -> Bool {
        gradients.map { Precision.float32.represents($0.tensors.values.flatMap(\.values)) } ?? false
    }

    /// float32's unit roundoff in units of float64's.
    static let float32Scale = Precision.float32.unitRoundoff / Precision.float64.unitRoundoff

    private func checkCoordinates(
        _ network: Network, x: Matrix, y: Matrix, analytic: Gradients, options: GradientCheckOptions,
        method: DifferenceMethod, floorModel: RoundingFloor,
        stop: StopSignal
    ) -> (outcome: CheckOutcome, nonFinite: String?) {
        let coordinates: [Coordinate]
        if case let .sample(count, seed) = options.mode {
            coordinates = CoordinateSampler.sample(of: network, count: count, seed: seed, only: options.only)
        } else {
            coordinates = CoordinateSampler.all(of: network, only: options.only)
        }
        let numeric = engine.derivatives(
            of: network, inputs: x, labels: y, at: coordinates,
            method: method, step: options.epsilon, stop: stop)
        var tensors: [ParameterID: TensorComparison] = [:]
        var allAnalytic: [Double] = []
        var allNumeric: [Double] = []
        var allFloorErrors: [Double] = []
        var kinkCount = 0
        var subgradientCount = 0
        var nonFinite = CoordinateReading.read(coordinates, numeric, analytic: analytic, floorModel: floorModel) { reading in
            let id = reading.coordinate.parameter
            let n = reading.numeric
            let shape = options.keepsEntries ? (network[id].rows, network[id].cols) : nil
            tensors[id, default: TensorComparison(gradient: GradientName(id), threshold: options.threshold, keepingEntriesOf: shape)]
                .add(index: reading.index, analytic: reading.analytic, numeric: n, floorError: reading.floorError)
            if n.crossesKink { kinkCount += 1 }
            if n.crossesKink && n.oneSided != nil { subgradientCount += 1 }
            guard let compared = TensorComparison.compared(reading.analytic, n, threshold: options.threshold) else { return }
            allAnalytic.append(reading.analytic)
            allNumeric.append(compared)
            allFloorErrors.append(reading.floorError)
        }
        let difference = Norms.difference(allAnalytic, allNumeric)
        if nonFinite == nil && !difference.isFinite {
            nonFinite = "the difference is not finite: the gradients' norms overflow"
        }
        let u = options.precision.unitRoundoff
        let absoluteFloor = VerdictRule.absoluteFloor(precision: options.precision, step: options.epsilon)
        let parameters = tensors.sorted { $0.key < $1.key }.map {
            $0.value.report(threshold: options.threshold, unitRoundoff: u, absoluteFloor: absoluteFloor)
        }
        let outcome = CheckOutcome(
            difference: difference,
            floor: u * RoundingFloor.floor(errors: allFloorErrors, analytic: allAnalytic, numeric: allNumeric),
            comparedNothing: allAnalytic.isEmpty, costEvaluations: coordinates.count * method.evaluationsPerCoordinate,
            checkedCount: coordinates.count, kinkCount: kinkCount, parameters: parameters,
            notes: Self.coordinateNotes(kinkCount: kinkCount, subgradientCount: subgradientCount, comparedNothing: allAnalytic.isEmpty))
        return (outcome, nonFinite)
    }

    /// The notes a coordinate check's counts give (kinks checked as subgradients or left out).
    static func coordinateNotes(kinkCount: Int, subgradientCount: Int, comparedNothing: Bool) -> [String] {
        var notes: [String] = []
        if subgradientCount > 0 {
            notes.append(
                "\(subgradientCount) coordinate(s) whose +/- epsilon step switches a ReLU unit on or off were checked as subgradients: the analytic value must lie between the one-sided difference quotients (J(theta) - J(theta - eps)) / eps and (J(theta + eps) - J(theta)) / eps"
            )
        }
        if kinkCount > subgradientCount {
            notes.append(
                "\(kinkCount - subgradientCount) coordinate(s) whose +/- epsilon step switches a ReLU unit on or off were left out of the verdict (the difference quotient straddles a kink)"
            )
        }
        if comparedNothing {
            notes.append("every checked coordinate crosses a kink: nothing was left to compare; try a smaller epsilon")
        }
        return notes
    }

    private func checkDirections(
        _ network: Network, x: Matrix, y: Matrix, analytic: Gradients, count: Int, seed: UInt64,
        options: GradientCheckOptions, method: DifferenceMethod, floorModel: RoundingFloor,
        stop: StopSignal
    ) -> (outcome: CheckOutcome, nonFinite: String?) {
        var generator = SplitMix64(seed: seed)
        // Only the first `listedDirections` are listed in the answer; every direction counts in
        // the verdict, through these two vectors (16 bytes per direction, priced).
        var listed: [DirectionReport] = []
        var keptAnalytic: [Double] = []
        var keptNumeric: [Double] = []
        var nonFinite: String?
        var done = 0
        stop.expect(count)
        for index in 0..<count {
            if stop.shouldStop() { break }
            let u = Self.randomUnitDirection(shapedLike: network, only: options.only, using: &generator)
            var dot = CompensatedSum()
            for (id, tensor) in u {
                guard let g = analytic[id] else { continue }
                for i in 0..<tensor.count { dot.add(g.values[i] * tensor.values[i]) }
            }
            let n = engine.directionalDerivative(
                of: network, inputs: x, labels: y, along: u,
                method: method, step: options.epsilon)
            if nonFinite == nil && !n.value.isFinite {
                nonFinite =
                    "the numerical derivative along direction \(index + 1) is not finite: the cost overflows (or is undefined) at theta +/- epsilon u; scale the inputs or parameters down"
            }
            if listed.count < WorkEstimate.listedDirections {
                listed.append(DirectionReport(analytic: dot.value, numeric: n.value, crossesKink: n.crossesKink))
            }
            if !n.crossesKink {
                keptAnalytic.append(dot.value)
                keptNumeric.append(n.value)
            }
            done += 1
            stop.advance()
        }
        let difference = Norms.difference(keptAnalytic, keptNumeric)
        if nonFinite == nil && !difference.isFinite {
            nonFinite = "the difference is not finite: the directional derivatives overflow"
        }
        // A direction mixes every entry: its floor is the whole gradient's, ||e|| / (2 ||grad||).
        let allErrors = floorModel.errorsPerUnitRoundoff.values.flatMap(\.values)
        let allGradient = analytic.tensors.values.flatMap(\.values)
        let floor = options.precision.unitRoundoff * RoundingFloor.floor(errors: allErrors, analytic: allGradient, numeric: allGradient)
        var notes = [
            "directional mode compares grad . u with the numerical derivative along \(count) random unit direction(s); it cannot tell which tensor is wrong"
        ]
        if count > listed.count {
            notes.append("the answer lists the first \(listed.count) of \(count) directions; all of them count in the difference")
        }
        let kinks = done - keptAnalytic.count
        if kinks > 0 {
            notes.append("\(kinks) direction(s) whose +/- epsilon step switches a ReLU unit on or off were left out of the verdict")
        }
        if keptAnalytic.isEmpty {
            notes.append("every direction crosses a kink: nothing was left to compare; try a smaller epsilon or other directions")
        }
        let outcome = CheckOutcome(
            difference: difference, floor: floor, comparedNothing: keptAnalytic.isEmpty,
            costEvaluations: count * method.evaluationsPerCoordinate, checkedCount: count, kinkCount: kinks,
            directions: listed, notes: notes)
        return (outcome, nonFinite)
    }

    /// Checks the caller's intermediates numerically and finds the root causes; returns a
    /// description of the first value that was not finite, if any.
    private func diagnose(
        _ report: inout GradientCheckReport, network: Network, x: Matrix, y: Matrix, gradients: Gradients,
        intermediates: IntermediateGradients, options: GradientCheckOptions, floorModel: RoundingFloor,
        stop: StopSignal
    ) -> String? {
        if case .directional = options.mode {
            if !intermediates.isEmpty {
                report.notes.append(
                    "directional mode checks grad . u only: the intermediates were not checked and no root cause can be named; use mode full or sample"
                )
            }
            return nil
        }
        if case let .sample(count, _) = options.mode, count < network.parameterCount {
            report.notes.append(
                "sample mode judges each tensor by the coordinates it drew: a wrong entry that was not drawn goes unseen, so the root causes are only as complete as the sample (the intermediates are checked in full)"
            )
        }
        let (pass, reference) = network.gradients(inputs: x, labels: y, intermediates: true)
        var caller: [GradientName: Matrix] = intermediates
        for (id, g) in gradients.tensors { caller[GradientName(id)] = g }
        let meanReplay = BackwardReplay(network: network, inputs: x, pass: pass, reference: reference, convention: .mean, caller: caller)
        var meanReference: IntermediateGradients = [:]
        for name in intermediates.keys { meanReference[name] = meanReplay.truth(name) }
        let voted = GradientConvention.detect(caller: intermediates, meanReference: meanReference, examples: x.cols)
        // Intermediates are checked with central differences: with the check's step, or the
        // central default when the check itself is complex-step.
        let step = Self.centralStep(options)
        if options.method != .central && !intermediates.isEmpty {
            report.notes.append(
                "the intermediates were checked with central differences (step \(step)): complex-step is used for the parameters only")
        }
        let names = intermediates.keys.sorted()
        let numeric = engine.intermediateDerivatives(of: network, inputs: x, labels: y, names: names, step: step, stop: stop)
        for name in names {
            guard let (values, kinks) = numeric[name], let cols = intermediates[name]?.cols else { continue }
            if let bad = values.indices.first(where: { !values[$0].isFinite && !kinks[$0] }) {
                return
                    "the numerical derivative for \(name) at [\(bad / cols)][\(bad % cols)] is not finite: the cost overflows (or is undefined) there"
            }
        }
        guard stop.interruption == nil else { return nil }
        var parameterStatus: [GradientName: Bool] = [:]
        // Inconclusive tensors are not failed ones: root causes are named from failures only.
        for parameter in report.parameters { parameterStatus[parameter.gradient] = !parameter.passed && !parameter.inconclusive }

        // Each convention read of the intermediates, and its diagnosis. A mistake can make one
        // convention's intermediates look like the other's (dZ_L without its 1/m in "mean" is
        // "sum"'s dZ_L); the reading that needs fewer root causes explains the caller's pass
        // with fewer mistakes, and is kept (the intermediates' vote breaks a tie).
        var best: (reports: [ParameterReport], diagnosis: BackwardDiagnosis)?
        let candidates: [GradientConvention] = voted == nil ? [.sum] : voted == .sum ? [.sum, .mean] : [.mean, .sum]
        for convention in candidates {
            let scale = convention.intermediateScale(examples: x.cols)
            var failed = parameterStatus
            var reports: [ParameterReport] = []
            for name in names {
                guard let (values, kinks) = numeric[name], let value = intermediates[name] else { continue }
                var comparison = TensorComparison(
                    gradient: name, threshold: options.threshold,
                    keepingEntriesOf: options.keepsEntries ? (value.rows, value.cols) : nil)
                for k in 0..<value.count {
                    comparison.add(
                        index: EntryIndex(row: k / value.cols, col: k % value.cols), analytic: value.values[k],
                        numeric: NumericalDerivative(value: values[k] * scale, crossesKink: kinks[k]))
                }
                let tensorReport = comparison.report(
                    threshold: options.threshold, unitRoundoff: options.precision.unitRoundoff,
                    absoluteFloor: VerdictRule.absoluteFloor(precision: options.precision, step: step),
                    floorPerUnitRoundoff: floorModel.intermediateFloorsPerUnitRoundoff[name] ?? 0)
                reports.append(tensorReport)
                failed[name] = !tensorReport.passed && !tensorReport.inconclusive
            }
            let replay = BackwardReplay(
                network: network, inputs: x, pass: pass, reference: reference, convention: convention, caller: caller)
            let found = RootCauseAnalysis(replay: replay, failed: failed).diagnose()
            let diagnosis = BackwardDiagnosis(
                convention: voted == nil ? nil : convention, rootCauses: found.rootCauses,
                propagated: found.propagated)
            if let tie = Self.missingOneOverM(replay: replay, failed: failed, intermediates: names, voted: voted, convention: convention) {
                best = (reports, BackwardDiagnosis(convention: convention, rootCauses: [tie], propagated: []))
                break
            }
            if best.map({ diagnosis.rootCauses.count < $0.diagnosis.rootCauses.count }) ?? true { best = (reports, diagnosis) }
        }
        if let best {
            report.intermediates = best.reports
            report.diagnosis = best.diagnosis
        }
        return nil
    }

    /// Gaussian entries normalised over all parameters: uniform on the unit sphere.
    /// With `only`, the other tensors' components are zero: the direction moves the chosen
    /// tensors alone.
    public static func randomUnitDirection(
        shapedLike network: Network, only: Set<ParameterID>? = nil,
        using generator: inout SplitMix64
    ) -> [ParameterID: Matrix] {
        var drawn: [(id: ParameterID, values: [Double])] = []
        var squares = CompensatedSum()
        for id in network.parameterIDs {
            var values = [Double](repeating: 0, count: network[id].count)
            if only?.contains(id) ?? true {
                for i in values.indices {
                    values[i] = generator.nextGaussian()
                    squares.add(values[i] * values[i])
                }
            }
            drawn.append((id, values))
        }
        let norm = squares.value.squareRoot()
        return Dictionary(
            uniqueKeysWithValues: drawn.map { id, values in
                (id, Matrix(rows: network[id].rows, cols: network[id].cols, values: values.map { $0 / norm }))
            })
    }
}
