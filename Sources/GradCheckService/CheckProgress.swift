import GradCheck
import Synchronization

/// How far a running check has got, readable from another thread: the API attaches the check's
/// `StopSignal` once it exists, and the engine counts coordinates (or directions) on it.
public final class CheckProgress: Sendable {
    private let signal = Mutex<StopSignal?>(nil)

    public init() {}

    func attach(_ stop: StopSignal) { signal.withLock { $0 = stop } }

    /// (0, 0) until the check has started.
    public var current: (done: Int, total: Int) { signal.withLock { $0?.progress } ?? (0, 0) }
}
