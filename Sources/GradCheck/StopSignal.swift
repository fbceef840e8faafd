import Dispatch
import Synchronization

/// Why a check stopped before it finished.
public enum Interruption: Error, Sendable, Equatable {
    /// The caller gave up (for the service: the client closed its connection).
    case cancelled
    /// The work ran past its deadline: its price was wrong, so it is stopped rather than trusted.
    case deadlineExceeded(allowedSeconds: Double)
    /// Once the engine had looked at the check point, the work came out over the budget
    /// (for example, ReLU units switching everywhere take every coordinate off the fast path).
    /// `coordinates`: what the check was to compare, so the refusal can size a cheaper one.
    case overBudget(operations: Double, budget: Double, coordinates: Int)
}

/// Tells long computations when to stop: the caller cancelled, a deadline passed, or a refined
/// price went over the budget. The engine polls `shouldStop()` once per coordinate (a few atomic
/// loads and a clock read, against at least m * 30 operations of work per coordinate), so a stop
/// takes effect within one coordinate's time on each thread.
///
/// The first reason recorded wins and is kept: every thread sees the same `interruption`.
public final class StopSignal: Sendable {
    private static let running = 0, cancelledCode = 1, deadlineCode = 2, budgetCode = 3

    private let state = Atomic<Int>(StopSignal.running)
    private let isCancelled: @Sendable () -> Bool
    /// Uptime in nanoseconds after which the work stops (UInt64.max: never).
    private let deadline = Atomic<UInt64>(UInt64.max)
    private let started: UInt64
    /// Operations the work may take (`WorkEstimate`'s unit); `.infinity` means no budget.
    public let budget: Double
    /// The rule that turns a price into a deadline (nil: no deadline).
    private let allowance: (@Sendable (Double) -> Double)?
    /// The price the deadline was set from, and the refined price when the engine raised it.
    private let pricedOperations = Mutex<Double>(0)

    /// `allowance` maps priced operations to the seconds they may take (see `WorkEstimate.allowedSeconds`).
    public init(
        budget: Double = .infinity,
        allowance: (@Sendable (Double) -> Double)? = nil,
        isCancelled: @escaping @Sendable () -> Bool = { false }
    ) {
        self.budget = budget
        self.allowance = allowance
        self.isCancelled = isCancelled
        started = DispatchTime.now().uptimeNanoseconds
    }

    /// Never stops: for callers that run a check to the end whatever it costs (tests, the bench).
    public static var none: StopSignal { StopSignal() }

    /// Sets (or moves) the deadline so that work priced at `operations` has the time the
    /// allowance gives it, counted from when this signal was made.
    public func price(operations: Double) {
        pricedOperations.withLock { $0 = operations }
        guard let allowance else { return }
        let seconds = allowance(operations)
        let nanos = seconds * 1e9
        deadline.store(nanos >= Double(UInt64.max - started) ? UInt64.max : started + UInt64(nanos), ordering: .relaxed)
    }

    /// The engine's refinement: the check costs `operations` more than priced. Records an
    /// over-budget stop when the new total exceeds `budget`, otherwise moves the deadline to fit
    /// it. Returns false when the work must not go on.
    public func admit(additionalOperations operations: Double) -> Bool {
        guard operations > 0 else { return !shouldStop() }
        let total = pricedOperations.withLock { $0 } + operations
        if total > budget {
            pricedOperations.withLock { $0 = total }
            _ = state.compareExchange(expected: Self.running, desired: Self.budgetCode, ordering: .relaxed)
            return false
        }
        price(operations: total)
        return !shouldStop()
    }

    /// Polled by the engine between coordinates.
    public func shouldStop() -> Bool {
        if state.load(ordering: .relaxed) != Self.running { return true }
        if isCancelled() {
            _ = state.compareExchange(expected: Self.running, desired: Self.cancelledCode, ordering: .relaxed)
            return true
        }
        let limit = deadline.load(ordering: .relaxed)
        if limit != UInt64.max && DispatchTime.now().uptimeNanoseconds > limit {
            _ = state.compareExchange(expected: Self.running, desired: Self.deadlineCode, ordering: .relaxed)
            return true
        }
        return false
    }

    /// Why the work stopped, or nil while it may go on.
    private let done = Atomic<Int>(0)
    private let total = Atomic<Int>(0)

    /// Progress of the work this signal stops: the engine adds the coordinates (or directions) it
    /// is about to compute to `total` and counts them `done` as it goes (per chunk: an atomic add
    /// every 16 or more coordinates costs nothing next to them). Read from any thread.
    public var progress: (done: Int, total: Int) { (done.load(ordering: .relaxed), total.load(ordering: .relaxed)) }

    public func expect(_ units: Int) { total.add(units, ordering: .relaxed) }

    public func advance(by units: Int = 1) { done.add(units, ordering: .relaxed) }

    public var interruption: Interruption? {
        switch state.load(ordering: .relaxed) {
        case Self.cancelledCode: return .cancelled
        case Self.deadlineCode:
            let limit = deadline.load(ordering: .relaxed)
            return .deadlineExceeded(allowedSeconds: Double(limit &- started) / 1e9)
        case Self.budgetCode:
            return .overBudget(
                operations: pricedOperations.withLock { $0 }, budget: budget, coordinates: total.load(ordering: .relaxed))
        default: return nil
        }
    }
}
