import GradCheck
import GradCheckReport
import HTTPServer
import JSON

/// What one request will cost, priced from its network before the work starts: bytes of memory
/// (reserved in the server's `MemoryBudget`) and operations (held to `ComputeLimits.maxOperations`).
/// The core prices its own work (`WorkEstimate`); this adds the encoded answer. The parsed body
/// is reserved while it is read (`JSONReader.MemoryAllowance`, through `MemoryHold.allowance`).
enum RequestPrice {
    /// One encoded number in an answer (`-0.12345678901234567,`), doubled for the writer's
    /// growth: the old buffer and the new one live together while it grows.
    static let answerBytesPerNumber = 50.0

    /// `/forward`: the forward cache and the `AL` answer.
    static func forwardBytes(_ network: Network, examples m: Int) -> Double {
        WorkEstimate.forwardBytes(of: network, examples: m)
            + answerBytesPerNumber * Double(network.layers.last?.weights.rows ?? 0) * Double(m)
    }

    /// `/backward`: the backward pass and one answer number per parameter.
    static func backwardBytes(_ network: Network, examples m: Int) -> Double {
        WorkEstimate.backwardBytes(of: network, examples: m) + answerBytesPerNumber * Double(network.parameterCount)
    }

    /// `/gradcheck` as HTML or SVG: every entry's values kept (`TensorEntries`), and the markup,
    /// about 160 bytes per heatmap cell (a cell per entry up to `HeatmapGrid.maxSide` squared
    /// per tensor), counted twice for the string and its bytes.
    static func pictureBytes(entries: Int, tensors: Int) -> Double {
        let cells = min(entries, tensors * HeatmapGrid.maxSide * HeatmapGrid.maxSide)
        return Double(entries * TensorEntries.bytesPerEntry) + 2 * 160 * Double(cells) + 65_536
    }

    /// `/gradcheck`: the check's own peak (engine, backward, bookkeeping, answer).
    static func gradcheckBytes(_ estimate: WorkEstimate) -> Double {
        estimate.peakBytes
    }
}

/// The bytes one request holds in the server's `MemoryBudget`, released together when the
/// request is answered (the API's `respond` releases it on every path).
final class MemoryHold {
    let budget: MemoryBudget
    private(set) var bytes = 0
    /// The request's body, which the server holds in the same budget while the request is
    /// answered (reserved by the connection, not here): a request needs it beside what it
    /// reserves, so it counts when deciding whether the request could ever fit.
    let bodyBytes: Int

    init(budget: MemoryBudget, bodyBytes: Int = 0) {
        self.budget = budget
        self.bodyBytes = bodyBytes
    }

    /// Reserves `amount` more for `purpose`; refuses with a 422 when the request could never fit
    /// (its body and everything it reserves, more than the whole budget, even on an idle server),
    /// with a 503 and `Retry-After` when others hold the room now.
    func reserve(_ amount: Double, for purpose: String) throws(APIFailure) {
        guard amount > 0 else { return }
        let total = Double(bytes) + amount
        guard Double(bodyBytes) + total <= Double(budget.limit) else {
            throw .memoryOverBudget(bytes: Double(bodyBytes) + total, limit: budget.limit, purpose: purpose)
        }
        let asked = Int(amount.rounded(.up))
        guard budget.reserve(asked) else { throw .memoryBusy(bytes: total, limit: budget.limit) }
        bytes += asked
    }

    /// Why the last reservation through `allowance` was refused, if one was.
    private(set) var refusal: APIFailure?

    /// Lets the JSON reader reserve as its tree grows; a refusal is kept for the answer.
    func allowance(for purpose: String) -> JSONReader.MemoryAllowance {
        { [self] more in
            do throws(APIFailure) {
                try reserve(Double(more), for: purpose)
                return true
            } catch {
                refusal = error
                return false
            }
        }
    }

    func releaseAll() {
        budget.release(bytes)
        bytes = 0
    }
}
