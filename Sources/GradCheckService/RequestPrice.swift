import GradCheck
import HTTPServer

/// What one request will cost, priced from its body and its network before the work starts:
/// bytes of memory (reserved in the server's `MemoryBudget`) and operations (held to
/// `ComputeLimits.maxOperations`). The core prices its own work (`WorkEstimate`); this adds
/// what the service holds around it (the parsed body, the encoded answer).
enum RequestPrice {
    /// Bytes parsing `body` can take at most, from one scan of its bytes.
    ///
    /// The JSON tree holds every value in a 24-byte `JSONValue` slot of an array that may have
    /// doubled past its size (48), and every array or object is a heap block of its own (header,
    /// malloc overhead: 96); the matrices read from the tree add 8 bytes per number plus a row
    /// copy (16). So each `,` or `:` (one more value) costs at most 64 bytes, each `[` or `{`
    /// 96, and strings at most their own bytes again. `[0],` repeated is the worst case, 24x
    /// its bytes; numpy's `.tolist()` output (about 20 bytes per number) comes to about 4x.
    static func parseBytes(_ body: [UInt8]) -> Int {
        var separators = 1, containers = 0
        for byte in body {
            switch byte {
            case UInt8(ascii: ","), UInt8(ascii: ":"): separators &+= 1
            case UInt8(ascii: "["), UInt8(ascii: "{"): containers &+= 1
            default: break
            }
        }
        return 64 * separators + 96 * containers + body.count
    }

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

    init(budget: MemoryBudget) {
        self.budget = budget
    }

    /// Reserves `amount` more for `purpose`; refuses with a 422 when the request could never fit
    /// (more than the whole budget), with a 503 and `Retry-After` when others hold the room now.
    func reserve(_ amount: Double, for purpose: String) throws(APIFailure) {
        guard amount > 0 else { return }
        let total = Double(bytes) + amount
        guard total <= Double(budget.limit) else {
            throw .memoryOverBudget(bytes: total, limit: budget.limit, purpose: purpose)
        }
        let asked = Int(amount.rounded(.up))
        guard budget.reserve(asked) else { throw .memoryBusy(bytes: total, limit: budget.limit) }
        bytes += asked
    }

    func releaseAll() {
        budget.release(bytes)
        bytes = 0
    }
}
