import Dispatch
import Foundation
import Synchronization

/// What the numerical side measured at one coordinate: the central quotient the notebook uses,
/// and the one-sided quotients that tell a kink (ReLU at 0, a max's tie, a hinge) from a smooth
/// point. At a smooth point all three agree to O(h) plus rounding; across a kink the one-sided
/// ones differ by the jump in slope, and any value between them is a subgradient.
public struct Quotients: Sendable, Equatable {
    public var central: Double
    public var left: Double
    public var right: Double
    /// False when x + h or x - h rounds back to x itself (an entry of 1e308 at h = 1e-7): the
    /// function was not moved, so nothing was measured there.
    public var measurable = true
}

/// Evaluates a scalar function of several tensors with one coordinate (or a set of coordinates,
/// moved together) displaced by `delta`, leaving its state as it found it. Each thread makes its
/// own (`makeEvaluator`), so an evaluator may keep mutable scratch copies of the tensors.
public typealias DisplacedValue = (_ tensor: Int, _ entries: [Int], _ delta: Double) -> Double

/// Central and one-sided difference quotients for every entry of every tensor, spread over the
/// cores in chunks, polling `stop` between coordinates.
public enum CentralQuotients {
    /// Entries per unit of work handed to a thread: big enough that the atomic progress count
    /// and the stop poll are noise, small enough that the cores finish together.
    static let chunk = 16

    /// `counts[t]` entries of tensor t; `f0` is the function at the unperturbed point. Nil when
    /// `stop` stopped the work (its `interruption` says why).
    /// `valueAt(t, i)` is entry i of tensor t: the quotients divide by the steps the entry really
    /// took, (x + h) - x and x - (x - h), which rounding makes differ from h.
    public static func measure(
        counts: [Int], step h: Double, f0: Double, stop: StopSignal, cores: Int,
        valueAt: @escaping @Sendable (Int, Int) -> Double,
        makeEvaluator: @escaping @Sendable () -> DisplacedValue
    ) -> [[Quotients]]? {
        let offsets = counts.reduce(into: [0]) { $0.append($0.last! + $1) }
        let total = offsets.last!
        let results = ResultSlots(count: total)
        stop.expect(total)
        let chunks = (total + chunk - 1) / chunk
        let threads = max(1, min(cores, chunks))
        let next = NextChunk()
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            let evaluate = makeEvaluator()
            while let c = next.take(below: chunks) {
                if stop.shouldStop() { return }
                let start = c * chunk
                let end = min(total, start + chunk)
                var tensor = 0
                for flat in start..<end {
                    while flat >= offsets[tensor + 1] { tensor += 1 }
                    let entry = flat - offsets[tensor]
                    let x = valueAt(tensor, entry)
                    let (up, down) = ((x + h) - x, x - (x - h))
                    guard up > 0, down > 0 else {
                        results.store(Quotients(central: 0, left: 0, right: 0, measurable: false), at: flat)
                        continue
                    }
                    let plus = evaluate(tensor, [entry], h)
                    let minus = evaluate(tensor, [entry], -h)
                    results.store(
                        Quotients(central: (plus - minus) / (up + down), left: (f0 - minus) / down, right: (plus - f0) / up), at: flat)
                }
                stop.advance(by: end - start)
            }
        }
        if stop.interruption != nil { return nil }
        let all = results.values
        return counts.indices.map { Array(all[offsets[$0]..<offsets[$0 + 1]]) }
    }
}

/// One slot per coordinate, written by whichever thread computes it.
/// @unchecked Sendable: each index is written by exactly one thread (the chunks are disjoint),
/// and `values` is read only after `concurrentPerform` has returned.
final class ResultSlots: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Quotients>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: Quotients(central: 0, left: 0, right: 0))
    }

    deinit { slots.deallocate() }

    func store(_ value: Quotients, at index: Int) { slots[index] = value }

    var values: [Quotients] { Array(slots) }
}

/// Hands out chunk numbers 0, 1, 2, ... to the threads, each exactly once.
final class NextChunk: Sendable {
    private let counter = Atomic<Int>(0)

    func take(below count: Int) -> Int? {
        let value = counter.add(1, ordering: .relaxed).oldValue
        return value < count ? value : nil
    }
}
