import GradCheck
import JSON

/// Writes a layer or network check's answer: the notebook's verdict first (`difference`,
/// `passed`, `message`), then `inconclusive`, each gradient's verdict under `gradients`, the
/// root causes and the notes. Member names follow the notebook body's answer where they mean
/// the same thing (`failed`, `root_causes`, `propagated`, `notes`, `cost_evaluations`).
enum LayerReportEncoder {
    static func write(
        _ report: LayerCheckReport, _ describe: (inout JSONWriter) throws(JSONWriteError) -> Void, to writer: inout JSONWriter
    ) throws(JSONWriteError) {
        writer.beginObject()
        try writer.member("difference", number: report.difference)
        writer.member("passed", bool: report.passed)
        writer.member("inconclusive", bool: report.inconclusive)
        writer.member("message", string: report.message)
        try writer.member("epsilon", number: report.epsilon)
        try writer.member("threshold", number: report.threshold)
        try describe(&writer)
        writer.member("checked", integer: report.checked)
        writer.member("kinks", integer: report.kinks)
        writer.member("cost_evaluations", integer: report.costEvaluations)
        try writer.member("seconds", number: report.seconds)
        writer.key("failed")
        writer.beginArray()
        for name in report.failed { writer.string(name) }
        writer.endArray()
        writer.key("gradients")
        writer.beginObject()
        for verdict in report.gradients {
            writer.key(verdict.name)
            try write(verdict, to: &writer)
        }
        writer.endObject()
        writer.key("root_causes")
        writer.beginArray()
        for cause in report.rootCauses {
            writer.beginObject()
            writer.member("gradient", string: cause.gradient)
            writer.member("kind", string: cause.kind.rawValue)
            writer.key("factor")
            if let factor = cause.factor { try writer.number(factor) } else { writer.null() }
            writer.key("entries")
            indices(cause.entries, to: &writer)
            writer.member("message", string: cause.message)
            writer.endObject()
        }
        writer.endArray()
        writer.key("propagated")
        writer.beginArray()
        for name in report.propagated { writer.string(name) }
        writer.endArray()
        writer.key("notes")
        writer.beginArray()
        for note in report.notes { writer.string(note) }
        writer.endArray()
        writer.endObject()
    }

    static func write(_ verdict: GradientVerdict, to writer: inout JSONWriter) throws(JSONWriteError) {
        writer.beginObject()
        try writer.member("difference", number: verdict.difference)
        writer.member("passed", bool: verdict.passed)
        writer.member("inconclusive", bool: verdict.inconclusive)
        try writer.member("rel_error", number: verdict.relError)
        writer.member("band", string: verdict.band.rawValue)
        try writer.member("floor", number: verdict.floor.isFinite ? verdict.floor : Double.greatestFiniteMagnitude)
        writer.key("shape")
        writer.beginArray()
        for size in verdict.analytic.shape { writer.integer(size) }
        writer.endArray()
        writer.member("checked", integer: verdict.checked)
        writer.member("kinks", integer: verdict.kinks)
        writer.member("tied_groups", integer: verdict.tiedGroups)
        writer.key("worst")
        if let worst = verdict.worst {
            writer.beginObject()
            writer.key("index")
            indices([worst.index], to: &writer, flat: true)
            try writer.member("analytic", number: worst.analytic)
            try writer.member("numeric", number: worst.numeric)
            writer.endObject()
        } else {
            writer.null()
        }
        writer.member("wrong_count", integer: verdict.wrongCount)
        writer.key("wrong_entries")
        indices(verdict.wrongEntries, to: &writer)
        writer.endObject()
    }

    /// A list of multi-dimensional indices (`[[0, 1, 2, 3], ...]`), or one index when `flat`.
    static func indices(_ list: [[Int]], to writer: inout JSONWriter, flat: Bool = false) {
        if !flat { writer.beginArray() }
        for index in list {
            writer.beginArray()
            for i in index { writer.integer(i) }
            writer.endArray()
        }
        if !flat { writer.endArray() }
    }

    /// `"upstream": {"drawn": true, "seed": s, "note": ...}` when the service drew it.
    static func writeUpstream(_ layer: PreparedLayer, to writer: inout JSONWriter) throws(JSONWriteError) {
        guard !layer.function.isLoss else { return }
        writer.key("upstream")
        writer.beginObject()
        writer.member("drawn", bool: layer.drawnSeed != nil)
        if let seed = layer.drawnSeed {
            writer.member("seed", integer: Int(seed))
            writer.member(
                "note",
                string:
                    "no upstream was sent: it was drawn from a standard normal with this seed (never all ones, which makes batch norm's dx exactly zero); send \"upstream\" to check against your own"
            )
        }
        writer.endObject()
    }
}

extension JSONWriter {
    /// A tensor as numpy's `.tolist()` nests it (a scalar as a bare number).
    mutating func tensor(_ tensor: Tensor) throws(JSONWriteError) {
        if tensor.rank == 0 {
            try number(tensor.values[0])
            return
        }
        let strides = tensor.strides
        try nest(tensor, axis: 0, offset: 0, strides: strides)
    }

    private mutating func nest(_ tensor: Tensor, axis: Int, offset: Int, strides: [Int]) throws(JSONWriteError) {
        beginArray()
        if axis == tensor.rank - 1 {
            for i in 0..<tensor.shape[axis] { try number(tensor.values[offset + i]) }
        } else {
            for i in 0..<tensor.shape[axis] {
                try nest(tensor, axis: axis + 1, offset: offset + i * strides[axis], strides: strides)
            }
        }
        endArray()
    }

    /// An object of named tensors in `order` (names missing from `tensors` are skipped).
    mutating func tensors(_ tensors: [String: Tensor], order: [String]) throws(JSONWriteError) {
        beginObject()
        for name in order {
            guard let value = tensors[name] else { continue }
            key(name)
            try tensor(value)
        }
        endObject()
    }
}
