import Dispatch
import Foundation
import Synchronization

/// The fast numerical gradient: every perturbed cost is J evaluated at the perturbed parameters,
/// but only the part of the forward pass the perturbation changes is recomputed.
///
/// Central differences, for W_l[i, j] (or b_l[i]) moved by +-eps:
/// - only row i of Z_l changes, by +-eps * A_{l-1}[j, :]; earlier layers are reused;
/// - A_l[i, :] changes by `change(at:by:)`; examples where a ReLU stays off change nothing;
/// - for ReLU / leaky ReLU, while no unit of layers l+1 ... L-1 switches, the network from A_l to
///   Z_L is exactly linear (a fixed product of weights and 0/1 or 0.01/1 slopes), so the logits
///   change by T_l[:, i, c] * dA_l[i, c] with T_l precomputed once per request; whether any unit
///   switches is checked against `EngineCache.safeChange`, and coordinates that fail the check
///   go through `logitChange`, which carries the change layer by layer;
/// - for tanh / sigmoid, the loss of each example as a function of the change of A_l[i, c] is
///   expanded to fourth order once per row (`LossExpansion`), and each coordinate evaluates that
///   series at its exact change, where a remainder estimate shows the truncation is below
///   rounding (`FastEngine+TaylorCentral`); other coordinates go through `logitChange`;
/// - the cost change comes from the logit change through log1p/expm1 forms, summed with
///   compensation, and the L2 term's change lambd/(2m)*4*w*eps is added in closed form.
/// Nothing is linearised: apart from the smooth series, whose truncation is kept below rounding,
/// only exact identities are used.
///
/// Complex-step, Im J(theta + i h e_k) / h: the imaginary part of every quantity is h times the
/// first-order change and the real part is unchanged to rounding (|h| ~ 1e-20 makes the O(h^2)
/// terms 1e-40 relative), so the engine propagates the imaginary part alone: the tangent through
/// f'(Z) (ReLU branches on the real part: f'(0) is the left slope), then Im loss / h = dLoss/dZ_L
/// times that tangent. The result does not depend on h; `step` is accepted for the protocol.
/// `ComplexStepReferenceEngine` does the full complex forward pass per coordinate and is the oracle.
///
/// Kinks (ReLU / leaky ReLU): central flags a coordinate whose +eps or -eps perturbation changes
/// the on/off side of any unit. Complex-step itself sees only the real part, so it flags a
/// coordinate when a central perturbation of `kinkProbeStep` (1e-7, the central default) would
/// switch a unit: that includes every affected pre-activation exactly at 0, and agrees with
/// what the central check would call a kink.
///
/// The `step` of complex-step is not used: the engine returns the h -> 0 limit, which equals
/// Im J(theta + i h e_k) / h to rounding for every h <= 1e-8 (the O(h^2) terms are below 1e-16
/// relative) and is closer to the derivative for larger h. Central uses `step` as epsilon.
///
/// Inputs are trusted as `NetworkBuilder` leaves them (consistent shapes); a coordinate outside
/// the network, or a direction tensor of the wrong shape, gives NaN rather than a crash.
public struct FastEngine: NumericalGradientEngine {
    /// The radius complex-step's kink test uses: the default central epsilon, so that it calls
    /// a kink what a default central check would.
    public static let kinkProbeStep = GradientCheckOptions.defaultEpsilon(for: .central)

    /// The coordinate loop is cut into about this many chunks per worker, taken one at a time
    /// from a shared counter: small chunks balance uneven coordinates (a layer-1 row costs more
    /// than a bias), so no worker is left with the slow tail while the others idle.
    static let chunksPerWorker = 32

    /// ... but never fewer coordinates per chunk than this: each chunk costs a lock on the shared
    /// counter and a progress update (`StopSignal.advance`), which stay negligible at this size.
    static let minimumChunk = 16

    /// Worker threads for the coordinate loop and the matrix products.
    public let threads: Int

    public init(threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.threads = max(1, threads)
    }

    public func derivatives(
        of network: Network, inputs x: Matrix, labels y: Matrix,
        at coordinates: [Coordinate], method: DifferenceMethod, step: Double
    ) -> [NumericalDerivative] {
        derivatives(of: network, inputs: x, labels: y, at: coordinates, method: method, step: step, stop: .none)
    }

    public func derivatives(
        of network: Network, inputs x: Matrix, labels y: Matrix,
        at coordinates: [Coordinate], method: DifferenceMethod, step: Double, stop: StopSignal
    ) -> [NumericalDerivative] {
        if coordinates.isEmpty { return [] }
        stop.expect(coordinates.count)
        let unfinished = NumericalDerivative(value: .nan, crossesKink: false)
        if stop.shouldStop() { return Array(repeating: unfinished, count: coordinates.count) }
        let cache = EngineCache(network: network, inputs: x, labels: y, threads: threads)
        // The up-front price assumed the ReLU fast path; now the check point is known, price the
        // coordinates that will leave it before spending anything on them.
        if method == .central,
            !stop.admit(additionalOperations: cache.slowPathOperations(coordinates: coordinates, step: step))
        {
            return Array(repeating: unfinished, count: coordinates.count)
        }
        // Smooth activations: one Taylor expansion per shared hidden row, then O(m) per coordinate.
        let expansions =
            method == .central && !network.activation.hasKinks
            ? LossExpansionTable(cache: cache, coordinates: coordinates, threads: threads, stop: stop) : nil
        // The up-front price assumed the series path; price the rows that may refuse it.
        if let expansions,
            !stop.admit(additionalOperations: expansions.refusedOperations(cache: cache, coordinates: coordinates, step: step))
        {
            return Array(repeating: unfinished, count: coordinates.count)
        }
        var values = [Double](repeating: .nan, count: coordinates.count)
        var kinks = [Double](repeating: 0, count: coordinates.count)
        values.withUnsafeMutableBufferPointer { vp in
            kinks.withUnsafeMutableBufferPointer { kp in
                let valueOut = SharedMutableBuffer(vp)
                let kinkOut = SharedMutableBuffer(kp)
                let chunk = max(Self.minimumChunk, coordinates.count / (threads * Self.chunksPerWorker))
                let chunks = (coordinates.count + chunk - 1) / chunk
                let next = ChunkCounter()
                DispatchQueue.concurrentPerform(iterations: min(threads, chunks)) { _ in
                    while let index = next.take(below: chunks) {
                        for n in (index * chunk)..<min(coordinates.count, (index + 1) * chunk) {
                            // Polled per coordinate: one coordinate of a deep network can take
                            // milliseconds, and a stop must land within about 100 ms.
                            if stop.shouldStop() { return }
                            let k = coordinates[n]
                            let d =
                                !network.contains(k)
                                ? unfinished
                                : method == .central
                                    ? cache.centralDerivative(
                                        at: k, step: step,
                                        expansion: k.parameter.kind == .weight
                                            ? expansions?.expansion(layer: k.parameter.layer, row: k.row) : nil)
                                    : cache.complexStepDerivative(at: k)
                            valueOut.base[n] = d.value
                            kinkOut.base[n] = d.crossesKink ? 1 : 0
                        }
                        stop.advance(by: min(coordinates.count, (index + 1) * chunk) - index * chunk)
                    }
                }
            }
        }
        // Kink coordinates (few in any ordinary network; priced among the slow rows) also get
        // their one-sided quotients, so the checker can test the analytic value as a subgradient.
        let oneSidedStep = method == .central ? step : FastEngine.kinkProbeStep
        return (0..<coordinates.count).map { n in
            guard kinks[n] != 0, !stop.shouldStop() else { return NumericalDerivative(value: values[n], crossesKink: kinks[n] != 0) }
            return NumericalDerivative(
                value: values[n], crossesKink: true,
                oneSided: cache.oneSidedDerivatives(at: coordinates[n], step: oneSidedStep))
        }
    }
}

extension Network {
    /// True when `coordinate` names an entry of one of the network's tensors.
    func contains(_ coordinate: Coordinate) -> Bool {
        let l = coordinate.parameter.layer
        guard l >= 1 && l <= depth else { return false }
        let p = self[coordinate.parameter]
        return coordinate.row >= 0 && coordinate.row < p.rows && coordinate.col >= 0 && coordinate.col < p.cols
    }
}

/// Hands out chunk indices to workers: one take per chunk of coordinates.
final class ChunkCounter: Sendable {
    private let next = Mutex(0)

    func take(below limit: Int) -> Int? {
        next.withLock { next in
            guard next < limit else { return nil }
            next += 1
            return next - 1
        }
    }
}

extension EngineCache {
    /// Row `j` of A_{l-1} for a weight, all ones for a bias: what one unit of the coordinate
    /// adds to row i of Z_l per unit of perturbation.
    func inputRow(_ coordinate: Coordinate) -> [Double] {
        let l = coordinate.parameter.layer
        if coordinate.parameter.kind == .bias { return [Double](repeating: 1, count: m) }
        let a = activations[l - 1]
        let j = coordinate.col
        return Array(a[(j * m)..<((j + 1) * m)])
    }

    /// d/dw of lambd/(2m) * w^2, exactly what the central difference of the L2 term gives.
    func regularisationSlope(_ coordinate: Coordinate) -> Double {
        guard coordinate.parameter.kind == .weight, network.lambd != 0 else { return 0 }
        let w = network[coordinate.parameter][coordinate.row, coordinate.col]
        return network.lambd * w / Double(m)
    }

    /// The central difference at `coordinate`, by the cheapest route that is exact to rounding:
    /// - in the output layer, the two logit changes are known outright;
    /// - for ReLU / leaky ReLU, through the fixed linear map T_l while no later unit switches
    ///   (`linearRegionCentral`), else carried layer by layer (`exactCentral`);
    /// - for tanh / sigmoid, through `expansion`, the row's Taylor expansion, when the request
    ///   built one (`LossExpansionTable`) and the series accepts the coordinate, else `exactCentral`.
    func centralDerivative(at coordinate: Coordinate, step eps: Double, expansion: LossExpansion? = nil) -> NumericalDerivative {
        let input = inputRow(coordinate)
        if coordinate.parameter.layer == network.depth {
            return outputLayerCentral(coordinate, input: input, step: eps)
        }
        if network.activation.hasKinks {
            return linearRegionCentral(coordinate, input: input, step: eps) ?? exactCentral(coordinate, input: input, step: eps)
        }
        if let expansion, let d = taylorCentral(coordinate, input: input, step: eps, expansion: expansion) { return d }
        return exactCentral(coordinate, input: input, step: eps)
    }

    /// A coordinate of the last layer moves row i of the logits by +-eps * input and nothing else.
    private func outputLayerCentral(_ coordinate: Coordinate, input: [Double], step eps: Double) -> NumericalDerivative {
        let i = coordinate.row
        var sum = CompensatedSum()
        for c in 0..<m where input[c] != 0 {
            let d = eps * input[c]
            sum.add(exampleLossChange(column: c) { $0 == i ? d : 0 } - exampleLossChange(column: c) { $0 == i ? -d : 0 })
        }
        return centralQuotient(sum, step: eps, at: coordinate, crossesKink: false)
    }

    /// ReLU / leaky ReLU below the last layer: A_l[i, c] moves by `up` and `down`, and while
    /// that is below `safeChange` no unit of the later layers switches, so the logits move by
    /// T_l[:, i, c] times it exactly. nil when some example's move reaches its safe change: the
    /// later layers are not linear over it, and the caller carries the change layer by layer.
    private func linearRegionCentral(_ coordinate: Coordinate, input: [Double], step eps: Double) -> NumericalDerivative? {
        let l = coordinate.parameter.layer
        let i = coordinate.row
        let z = preActivations[l - 1]
        let safe = safeChange[l - 1]
        let t = sensitivities[l - 1]
        let act = network.activation
        let offSlope = act == .relu ? 0 : Activation.leakySlope
        // One sigmoid output: the loss change has a closed form in the single logit's change.
        let singleSigmoid = widths[network.depth] == 1 && network.output == .sigmoid
        let t0 = t[0]
        var sum = CompensatedSum()
        var crossed = false
        for c in 0..<m where input[c] != 0 {
            let d = eps * input[c]
            let zv = z[i * m + c]
            let on = zv > 0
            let up: Double
            let down: Double
            if on == (zv + d > 0) && on == (zv - d > 0) {
                // The unit stays on one side: what `change(at:by:)` returns, inlined.
                if !on && offSlope == 0 { continue }
                up = on ? d : offSlope * d
                down = -up
            } else {
                crossed = true
                up = act.change(at: zv, by: d)
                down = act.change(at: zv, by: -d)
            }
            if max(abs(up), abs(down)) >= safe[i * m + c] { return nil }
            if singleSigmoid {
                let s = t0[i * m + c]
                let p = probabilities[c]
                let y = labels[c]
                let dUp = s * up
                let dDown = s * down
                sum.add(Kernels.log1p(p * Kernels.expm1(dUp)) - Kernels.log1p(p * Kernels.expm1(dDown)) - y * (dUp - dDown))
            } else {
                sum.add(
                    exampleLossChange(column: c) { t[$0][i * m + c] * up }
                        - exampleLossChange(column: c) { t[$0][i * m + c] * down })
            }
        }
        return centralQuotient(sum, step: eps, at: coordinate, crossesKink: crossed)
    }

    /// Central difference with both perturbed costs carried through every layer.
    func exactCentral(_ coordinate: Coordinate, input: [Double], step eps: Double) -> NumericalDerivative {
        let l = coordinate.parameter.layer
        let i = coordinate.row
        let up = logitChange(layer: l, row: i, delta: input.map { eps * $0 })
        let down = logitChange(layer: l, row: i, delta: input.map { -eps * $0 })
        var sum = CompensatedSum()
        for c in 0..<m where input[c] != 0 {
            sum.add(
                exampleLossChange(column: c) { up.change[$0 * m + c] }
                    - exampleLossChange(column: c) { down.change[$0 * m + c] })
        }
        return centralQuotient(sum, step: eps, at: coordinate, crossesKink: up.crossesKink || down.crossesKink)
    }

    /// (J(theta + eps) - J(theta - eps)) / (2 eps) from the summed per-example loss changes,
    /// plus the L2 term's exact slope.
    func centralQuotient(_ sum: CompensatedSum, step eps: Double, at coordinate: Coordinate, crossesKink: Bool)
        -> NumericalDerivative
    {
        let value = sum.value / Double(m) / (2 * eps) + regularisationSlope(coordinate)
        return NumericalDerivative(value: value, crossesKink: crossesKink)
    }

    /// (J(theta) - J(theta - eps)) / eps and (J(theta + eps) - J(theta)) / eps, both perturbed
    /// costs carried through every layer (no fast path: it serves kink coordinates only). The L2
    /// term's one-sided quotients are lambd w / m -/+ lambd eps / (2m), in closed form.
    func oneSidedDerivatives(at coordinate: Coordinate, step eps: Double) -> OneSidedDerivatives {
        let l = coordinate.parameter.layer
        let i = coordinate.row
        let input = inputRow(coordinate)
        let up = logitChange(layer: l, row: i, delta: input.map { eps * $0 })
        let down = logitChange(layer: l, row: i, delta: input.map { -eps * $0 })
        var upSum = CompensatedSum()
        var downSum = CompensatedSum()
        for c in 0..<m where input[c] != 0 {
            upSum.add(exampleLossChange(column: c) { up.change[$0 * m + c] })
            downSum.add(exampleLossChange(column: c) { down.change[$0 * m + c] })
        }
        let slope = regularisationSlope(coordinate)
        let curvature = coordinate.parameter.kind == .weight ? network.lambd * eps / (2 * Double(m)) : 0
        return OneSidedDerivatives(
            left: -downSum.value / Double(m) / eps + slope - curvature,
            right: upSum.value / Double(m) / eps + slope + curvature)
    }

    func complexStepDerivative(at coordinate: Coordinate) -> NumericalDerivative {
        let l = coordinate.parameter.layer
        let i = coordinate.row
        let depth = network.depth
        let nL = widths[depth]
        let input = inputRow(coordinate)
        var sum = CompensatedSum()
        var needsProbe = false
        if l == depth {
            for c in 0..<m where input[c] != 0 { sum.add(logitGradient[i * m + c] * input[c]) }
        } else {
            let z = preActivations[l - 1]
            let t = sensitivities[l - 1]
            let act = network.activation
            let probe = FastEngine.kinkProbeStep
            for c in 0..<m where input[c] != 0 {
                let zv = z[i * m + c]
                if act.hasKinks {
                    let d = probe * input[c]
                    if (zv > 0) != (zv + d > 0) || (zv > 0) != (zv - d > 0)
                        || probe * abs(input[c]) >= safeChange[l - 1][i * m + c]
                    {
                        needsProbe = true
                    }
                }
                let tangent = slopes[l - 1][i * m + c] * input[c]
                if tangent == 0 { continue }
                for r in 0..<nL { sum.add(logitGradient[r * m + c] * t[r][i * m + c] * tangent) }
            }
        }
        var crossed = false
        if needsProbe {
            crossed =
                logitChange(layer: l, row: i, delta: input.map { FastEngine.kinkProbeStep * $0 }).crossesKink
                || logitChange(layer: l, row: i, delta: input.map { -FastEngine.kinkProbeStep * $0 }).crossesKink
        }
        return NumericalDerivative(value: sum.value / Double(m) + regularisationSlope(coordinate), crossesKink: crossed)
    }
}
