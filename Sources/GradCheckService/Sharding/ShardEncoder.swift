import Digest
import GradCheck
import JSON

/// Writes a shard's partial answer (`"partial": true`), and reads one back for the merge.
///
/// Compensated sums travel as `[sum, compensation]`: JSON numbers are written in their shortest
/// round-trip form and read back correctly rounded, so every bit of both parts survives.
enum ShardEncoder {
    /// The bytes a partial's signature covers: the partial written without its signature. A
    /// merge re-writes the partial it read, so a client's re-serialisation (key order, number
    /// spelling) does not matter, and any edit of a value does.
    static func canonicalBytes(_ partial: ShardPartial) throws(JSONWriteError) -> [UInt8] {
        var unsigned = partial
        unsigned.signature = nil
        var writer = JSONWriter(capacity: 4096)
        try write(unsigned, to: &writer)
        return writer.bytes
    }

    /// The partial's HMAC-SHA256 tag under `key`, hex.
    static func signature(_ partial: ShardPartial, key: [UInt8]) throws(JSONWriteError) -> String {
        HMACSHA256.hex(HMACSHA256.hmac(key: key, message: try canonicalBytes(partial)))
    }

    static func write(_ partial: ShardPartial, to writer: inout JSONWriter) throws(JSONWriteError) {
        writer.beginObject()
        writer.member("partial", bool: true)
        writer.key("shard")
        writer.beginObject()
        writer.member("index", integer: partial.shard.index)
        writer.member("count", integer: partial.shard.count)
        writer.endObject()
        writer.member("fingerprint", string: partial.fingerprint)
        try writer.member("epsilon", number: partial.epsilon)
        try writer.member("threshold", number: partial.threshold)
        writer.member("method", string: partial.method.rawValue)
        writer.member("method_used", string: partial.methodUsed.rawValue)
        writer.member("dtype", string: partial.precision.rawValue)
        writer.member("checked", integer: partial.checkedCount)
        writer.member("cost_evaluations", integer: partial.costEvaluations)
        try writer.member("seconds", number: partial.elapsedSeconds)
        writer.member("float32_gradients", bool: partial.float32Gradients)
        writer.key("notes_before")
        strings(partial.leadingNotes, to: &writer)
        writer.key("notes_after")
        strings(partial.trailingNotes, to: &writer)
        writer.key("parameters")
        writer.beginObject()
        for tensor in partial.tensors {
            writer.key(tensor.name)
            try write(tensor, to: &writer)
        }
        writer.endObject()
        if let signature = partial.signature { writer.member("signature", string: signature) }
        writer.endObject()
    }

    private static func strings(_ list: [String], to writer: inout JSONWriter) {
        writer.beginArray()
        for s in list { writer.string(s) }
        writer.endArray()
    }

    private static func write(_ t: TensorPartial, to writer: inout JSONWriter) throws(JSONWriteError) {
        writer.beginObject()
        writer.member("checked", integer: t.checkedCount)
        writer.member("compared", integer: t.comparedCount)
        writer.key("sums")
        writer.beginObject()
        for (name, sum) in sums(of: t) {
            writer.key(name)
            writer.beginArray()
            try writer.number(sum.scale)
            try writer.number(sum.sum.parts.sum)
            try writer.number(sum.sum.parts.compensation)
            writer.endArray()
        }
        writer.endObject()
        try ReportEncoder.writeWorst(t.worst, to: &writer)
        try writer.member("max_relative_error", number: t.maxRelativeError)
        try writer.member("excess_relative_error", number: t.excessRelativeError)
        writer.member("distinguishable", integer: t.distinguishableCount)
        ReportEncoder.writeKinks(count: t.kinkCount, subgradientChecked: t.subgradientCount, examples: t.kinkExamples, to: &writer)
        writer.endObject()
    }

    static let sumNames = ["analytic_squares", "numeric_squares", "difference_squares", "products", "floor_error_squares"]

    private static func sums(of t: TensorPartial) -> [(String, ScaledSum)] {
        Array(zip(sumNames, [t.analyticSquares, t.numericSquares, t.differenceSquares, t.products, t.floorErrorSquares]))
    }
}
