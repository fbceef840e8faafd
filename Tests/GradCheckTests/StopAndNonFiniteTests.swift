import Dispatch
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import GradCheck

/// A check stops when told (cancelled, past its deadline, re-priced over budget) and never gives
/// a verdict computed from values that are not finite.
@Suite struct StopAndNonFiniteTests {
    /// A tanh network whose full central check (with the Taylor path) takes well over the 50 ms
    /// these tests stop it at, in a debug build: the stop lands in the middle of the work (a check
    /// that finished first would fail the tests). Larger ones make the stop's latency, one row
    /// expansion, longer than the bound below on a loaded machine.
    static let slow = TestProblem.random(
        widths: [96, 96, 96, 1], m: 96, activation: .tanh, output: .sigmoid, lambd: 0, seed: 5)
    let checker = GradientChecker(engine: FastEngine())

    @Test func cancellingStopsTheCheckWithinAFewCoordinates() {
        // The client "leaves" at the engine's 40th poll (it polls once per coordinate on each
        // thread): counted, not timed, so a loaded machine changes nothing.
        let polls = Atomic<Int>(0)
        let leavesAt = 40
        let stop = StopSignal(isCancelled: { polls.add(1, ordering: .relaxed).newValue >= leavesAt })
        #expect(throws: GradientChecker.CheckFailure.interrupted(.cancelled)) {
            try checker.check(Self.slow.network, inputs: Self.slow.x, labels: Self.slow.y, stop: stop)
        }
        // Stopped within a chunk of coordinates per thread of the cancellation, far from the end.
        let (done, total) = stop.progress
        let threads = ProcessInfo.processInfo.activeProcessorCount
        #expect(done <= leavesAt + 64 * threads, "\(done) of \(total) coordinates done")
        #expect(done < total / 10)
    }

    @Test func workPastItsAllowedTimeIsStopped() throws {
        let stop = StopSignal(allowance: { _ in 0.05 })
        stop.price(operations: 1)
        do {
            _ = try checker.check(Self.slow.network, inputs: Self.slow.x, labels: Self.slow.y, stop: stop)
            Issue.record("the check finished although its allowance was 0.05 s")
        } catch {
            guard case .interrupted(.deadlineExceeded(let seconds)) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(abs(seconds - 0.05) < 0.01)
        }
        // Stopped part-way, however loaded the machine: the work done is counted, not timed.
        let (done, total) = stop.progress
        #expect(total == 0 || done < total, "\(done) of \(total) coordinates done")
    }

    /// Every unit of layer 2 sits exactly on its kink (Z2 = 0 for every example), so every
    /// layer-1 coordinate leaves the fast path: the engine's re-pricing must see it.
    static func kinkyNetwork(width n: Int) -> (Network, Matrix, Matrix) {
        let m = n
        var rng = SplitMix64(seed: 9)
        let column = (0..<n).map { _ in Double(1 + rng.nextIndex(below: 3)) }
        let x = Matrix(rows: n, cols: m, values: (0..<(n * m)).map { column[$0 / m] })
        let w1 = Matrix(rows: n, cols: n, values: (0..<(n * n)).map { _ in Double(rng.nextIndex(below: 3)) })
        let a1 = (0..<n).map { r in (0..<n).reduce(0.0) { $0 + w1[r, $1] * column[$1] } }
        let w2 = Matrix(rows: n, cols: n, values: (0..<(n * n)).map { _ in Double(rng.nextIndex(below: 5)) - 2 })
        let b2 = Matrix(rows: n, cols: 1, values: (0..<n).map { r in -(0..<n).reduce(0.0) { $0 + w2[r, $1] * a1[$1] } })
        let w3 = Matrix(rows: 1, cols: n, values: (0..<n).map { _ in Double(rng.nextIndex(below: 5)) - 2 })
        let network = Network(layers: [
            Layer(weights: w1, bias: Matrix(rows: n, cols: 1)), Layer(weights: w2, bias: b2),
            Layer(weights: w3, bias: Matrix(rows: 1, cols: 1)),
        ])
        return (network, x, Matrix(rows: 1, cols: m, values: [Double](repeating: 1, count: m)))
    }

    @Test func reluUnitsOnTheirKinksAreRepricedBeforeTheLoop() throws {
        let (network, x, y) = Self.kinkyNetwork(width: 48)
        let options = GradientCheckOptions()
        let upFront = WorkEstimate(network: network, examples: x.cols, options: options)
        // The up-front price assumes the fast path; the check point takes it away.
        let cache = EngineCache(network: network, inputs: x, labels: y, threads: 1)
        let slow = cache.slowPathOperations(coordinates: CoordinateSampler.all(of: network), step: options.epsilon)
        #expect(slow > upFront.operations, "slow path \(slow) vs up-front \(upFront.operations)")
        let stop = StopSignal(budget: upFront.operations * 2)
        stop.price(operations: upFront.operations)
        do {
            _ = try checker.check(network, inputs: x, labels: y, options: options, stop: stop)
            Issue.record("an over-budget check ran")
        } catch {
            guard case .interrupted(.overBudget(let operations, _, let coordinates)) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(operations > upFront.operations * 2)
            #expect(coordinates == network.parameterCount)
        }
        // A smooth network prices its slow path up front: nothing to add.
        var tanh = network
        tanh.activation = .tanh
        let smooth = EngineCache(network: tanh, inputs: x, labels: y, threads: 1)
        #expect(smooth.slowPathOperations(coordinates: CoordinateSampler.all(of: tanh), step: 1e-7) == 0)
    }

    @Test func overflowingInputsGiveNoVerdict() {
        let network = Network(layers: [Layer(weights: Matrix(rows: 1, cols: 1, values: [1e308]), bias: Matrix(rows: 1, cols: 1))])
        let x = Matrix(rows: 1, cols: 2, values: [1e308, -1e308])
        let y = Matrix(rows: 1, cols: 2, values: [1, 0])
        let made = Gradients(tensors: [
            ParameterID(layer: 1, kind: .weight): Matrix(rows: 1, cols: 1, values: [1]),
            ParameterID(layer: 1, kind: .bias): Matrix(rows: 1, cols: 1, values: [1]),
        ])
        do {
            _ = try checker.check(network, inputs: x, labels: y, gradients: made, stop: .none)
            Issue.record("a verdict was given for a network whose cost overflows")
        } catch {
            guard case .nonFinite(let detail) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(detail.contains("W1") || detail.contains("dW1"), "\(detail)")
        }
        // The non-throwing check never passes it either.
        #expect(!checker.check(network, inputs: x, labels: y, gradients: made).passed)
    }

    @Test func normsDoNotHideNaN() {
        #expect(Norms.euclidean([1, .nan, 2]).isNaN)
        #expect(Norms.euclidean([.nan, 1]).isNaN)
        #expect(Norms.difference([1, 2], [1, .nan]).isNaN)
        #expect(Norms.euclidean([3, 4]) == 5)
    }

    @Test func aCheckThatComparedNothingHasNotPassed() {
        // Z1 = 0 exactly and x = 0: every direction moves Z1 by its b1 component, so every one
        // switches the ReLU and is left out. Nothing compared is not a pass.
        let network = Network(layers: [
            Layer(weights: Matrix(rows: 1, cols: 1, values: [1]), bias: Matrix(rows: 1, cols: 1, values: [0])),
            Layer(weights: Matrix(rows: 1, cols: 1, values: [1]), bias: Matrix(rows: 1, cols: 1, values: [0])),
        ])
        let x = Matrix(rows: 1, cols: 1, values: [0])
        let y = Matrix(rows: 1, cols: 1, values: [1])
        let report = checker.check(network, inputs: x, labels: y, options: GradientCheckOptions(mode: .directional(count: 3, seed: 1)))
        #expect(report.kinkCount == 3)
        #expect(!report.passed)
        #expect(report.message.contains("inconclusive"))
    }
}
