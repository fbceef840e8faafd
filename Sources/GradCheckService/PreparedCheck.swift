import GradCheck
import Synchronization

/// A `/gradcheck` network request that `GradCheckAPI.prepare` has read, validated, priced and
/// reserved memory for: what is left is to run it (`GradCheckAPI.run`), which releases the
/// reservation; `release` does so for a check that will not run (its client left first).
///
/// `@unchecked Sendable`: the handler that prepares it hands it to the stream that runs it, and
/// only one thread uses it at a time; the reservation (`MemoryHold`, a plain class) is released
/// once, under the lock.
public final class PreparedCheck: @unchecked Sendable {
    let work: PreparedWork
    private let hold: MemoryHold
    private let released = Mutex(false)

    init(hold: MemoryHold, work: PreparedWork) {
        self.hold = hold
        self.work = work
    }

    /// Gives the memory back to the budget (once; later calls do nothing).
    public func release() {
        let first = released.withLock { done in
            defer { done = true }
            return !done
        }
        if first { hold.releaseAll() }
    }

    deinit { release() }
}

/// What a prepared check runs: the notebook network's check, or a layer or network-of-layers check.
enum PreparedWork {
    case network(CheckWork)
    case layers(LayerWork)
}

/// A prepared layer or network-of-layers check: validated, priced and reserved; `run` checks
/// and answers in the negotiated format (see `GradCheckAPI.prepareLayerCheck`).
struct LayerWork: Sendable {
    let run: @Sendable (_ isCancelled: @escaping GradCheckAPI.Cancellation, _ progress: CheckProgress?) throws(APIFailure) -> APIResponse
}

/// Everything the check of one prepared request needs.
struct CheckWork {
    let request: NetworkRequest
    let format: ReportFormat
    let network: Network
    let x: Matrix
    let y: Matrix
    let gradients: Gradients?
    let intermediates: IntermediateGradients
    let options: GradientCheckOptions
    let estimate: WorkEstimate
}
