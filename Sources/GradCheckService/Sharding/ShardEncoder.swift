import GradCheck

/// Writes a shard's partial answer (`"partial": true`), and reads one back for the merge.
///
/// Compensated sums travel as `[sum, compensation]`: JSON numbers are written in their shortest
/// round-trip form and read back correctly rounded, so every bit of both parts survives.
enum ShardEncoder {
    static func write(_ partial: ShardPartial, to writer: inout JSONWriter) throws(JSONWriteError) {
        writer.beginObject()
        writer.key("partial")
        writer.bool(true)
        writer.key("shard")
        writer.beginObject()
        writer.key("index")
        writer.integer(partial.shard.index)
        writer.key("count")
        writer.integer(partial.shard.count)
        writer.endObject()
        writer.key("fingerprint")
        writer.string(partial.fingerprint)
        writer.key("epsilon")
        try writer.number(partial.epsilon)
        writer.key("threshold")
        try writer.number(partial.threshold)
        writer.key("method")
        writer.string(partial.method.rawValue)
        writer.key("method_used")
        writer.string(partial.methodUsed.rawValue)
        writer.key("dtype")
        writer.string(partial.precision.rawValue)
        writer.key("checked")
        writer.integer(partial.checkedCount)
        writer.key("cost_evaluations")
        writer.integer(partial.costEvaluations)
        writer.key("seconds")
        try writer.number(partial.elapsedSeconds)
        writer.key("float32_gradients")
        writer.bool(partial.float32Gradients)
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
        writer.endObject()
    }

    private static func strings(_ list: [String], to writer: inout JSONWriter) {
        writer.beginArray()
        for s in list { writer.string(s) }
        writer.endArray()
    }

    private static func write(_ t: TensorPartial, to writer: inout JSONWriter) throws(JSONWriteError) {
        writer.beginObject()
        writer.key("checked")
        writer.integer(t.checkedCount)
        writer.key("compared")
        writer.integer(t.comparedCount)
        writer.key("sums")
        writer.beginObject()
        for (name, sum) in sums(of: t) {
            writer.key(name)
            writer.beginArray()
            try writer.number(sum.parts.sum)
            try writer.number(sum.parts.compensation)
            writer.endArray()
        }
        writer.endObject()
        try ReportEncoder.writeWorst(t.worst, to: &writer)
        writer.key("max_relative_error")
        try writer.number(t.maxRelativeError)
        ReportEncoder.writeKinks(count: t.kinkCount, subgradientChecked: t.subgradientCount, examples: t.kinkExamples, to: &writer)
        writer.endObject()
    }

    static let sumNames = ["analytic_squares", "numeric_squares", "difference_squares", "products", "floor_error_squares"]

    private static func sums(of t: TensorPartial) -> [(String, CompensatedSum)] {
        Array(zip(sumNames, [t.analyticSquares, t.numericSquares, t.differenceSquares, t.products, t.floorErrorSquares]))
    }
}
