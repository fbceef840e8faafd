import GradCheck

/// Writes gradient-check reports as the `/gradcheck` JSON answer (field names in OpenAPIDocument).
enum ReportEncoder {
    static func write(_ report: GradientCheckReport, to writer: inout JSONWriter) throws(JSONWriteError) {
        writer.beginObject()
        try writeVerdict(
            difference: report.difference, passed: report.passed, message: report.message,
            epsilon: report.epsilon, threshold: report.threshold, method: report.methodUsed, to: &writer)
        writer.key("mode")
        writer.string(report.mode.kind.rawValue)
        writer.key("dtype")
        writer.string(report.precision.rawValue)
        writer.key("floor")
        try writer.number(report.floor)
        writer.key("explanation")
        writer.string(report.explanation)
        writer.key("checked")
        writer.integer(report.checkedCount)
        writer.key("kinks")
        writer.integer(report.kinkCount)
        writer.key("cost_evaluations")
        writer.integer(report.costEvaluations)
        writer.key("seconds")
        try writer.number(report.elapsedSeconds)
        writer.key("failed")
        writer.beginArray()
        for name in report.failedParameters { writer.string(name) }
        writer.endArray()
        try writeTensors("parameters", report.parameters, to: &writer)
        try writeDiagnosis(report, to: &writer)
        if case .directional = report.mode {
            writer.key("directions")
            writer.beginArray()
            for direction in report.directions {
                writer.beginObject()
                writer.key("analytic")
                try writer.number(direction.analytic)
                writer.key("numeric")
                try writer.number(direction.numeric)
                writer.key("crosses_kink")
                writer.bool(direction.crossesKink)
                writer.endObject()
            }
            writer.endArray()
        }
        writer.key("notes")
        writer.beginArray()
        for note in report.notes { writer.string(note) }
        writer.endArray()
        writer.endObject()
    }

    /// `convention`, `intermediates`, `root_causes` and `propagated` (see `BackwardDiagnosis`).
    private static func writeDiagnosis(_ report: GradientCheckReport, to writer: inout JSONWriter) throws(JSONWriteError) {
        writer.key("convention")
        if let convention = report.diagnosis.convention { writer.string(convention.rawValue) } else { writer.null() }
        try writeTensors("intermediates", report.intermediates, to: &writer)
        writer.key("root_causes")
        writer.beginArray()
        for cause in report.diagnosis.rootCauses {
            writer.beginObject()
            writer.key("gradient")
            writer.string(cause.gradient.name)
            writer.key("layer")
            writer.integer(cause.layer)
            writer.key("kind")
            writer.string(cause.kind.rawValue)
            if let factor = cause.factor, factor.isFinite {
                writer.key("factor")
                try writer.number(factor)
            }
            if cause.kind == .wrongEntries {
                writer.key("entries")
                writer.beginArray()
                for index in cause.entries {
                    writer.beginArray()
                    writer.integer(index.row)
                    writer.integer(index.col)
                    writer.endArray()
                }
                writer.endArray()
            }
            writer.key("message")
            writer.string(cause.message)
            writer.key("inferred")
            writer.bool(cause.inferred)
            writer.endObject()
        }
        writer.endArray()
        writer.key("propagated")
        writer.beginArray()
        for name in report.diagnosis.propagated { writer.string(name.name) }
        writer.endArray()
    }

    static func write(_ result: ScalarCase.CheckResult, scalar: ScalarRequest, to writer: inout JSONWriter) throws(JSONWriteError) {
        writer.beginObject()
        try writeVerdict(
            difference: result.difference, passed: result.passed, message: result.message,
            epsilon: scalar.epsilon, threshold: scalar.threshold, method: scalar.method, to: &writer)
        writer.key("dtheta")
        try writer.number(result.gradient)
        writer.key("gradapprox")
        try writer.number(result.approximation)
        writer.endObject()
    }

    private static func writeVerdict(
        difference: Double, passed: Bool, message: String, epsilon: Double,
        threshold: Double, method: DifferenceMethod,
        to writer: inout JSONWriter
    ) throws(JSONWriteError) {
        writer.key("difference")
        try writer.number(difference)
        writer.key("passed")
        writer.bool(passed)
        writer.key("message")
        writer.string(message)
        writer.key("epsilon")
        try writer.number(epsilon)
        writer.key("threshold")
        try writer.number(threshold)
        writer.key("method")
        writer.string(method.rawValue)
    }

    /// `parameters` (W1, b1, ...) or `intermediates` (dZ3, dA2, ...): tensor reports keyed by name.
    private static func writeTensors(_ key: String, _ tensors: [ParameterReport], to writer: inout JSONWriter) throws(JSONWriteError) {
        writer.key(key)
        writer.beginObject()
        for tensor in tensors {
            writer.key(tensor.name)
            try write(tensor, to: &writer)
        }
        writer.endObject()
    }

    private static func write(_ parameter: ParameterReport, to writer: inout JSONWriter) throws(JSONWriteError) {
        writer.beginObject()
        writer.key("difference")
        try writer.number(parameter.difference)
        writer.key("passed")
        writer.bool(parameter.passed)
        writer.key("checked")
        writer.integer(parameter.checkedCount)
        try writeWorst(parameter.worst, to: &writer)
        writer.key("ratio")
        // A ratio is a diagnosis, not a result: an infinite one is simply no diagnosis.
        if let ratio = parameter.ratio, ratio.isFinite { try writer.number(ratio) } else { writer.null() }
        writer.key("diagnosis")
        if let diagnosis = parameter.diagnosis { writer.string(diagnosis) } else { writer.null() }
        writer.key("floor")
        try writer.number(parameter.floor)
        writer.key("max_relative_error")
        try writer.number(parameter.maxRelativeError)
        writer.key("band")
        writer.string(parameter.band.rawValue)
        writeKinks(
            count: parameter.kinkCount, subgradientChecked: parameter.subgradientCount, examples: parameter.kinkExamples,
            to: &writer)
        writer.endObject()
    }

    /// A tensor's `worst` member (the entry where analytic and numeric differ most, or null), in
    /// the full answer and in a shard's partial one alike.
    static func writeWorst(_ worst: WorstEntry?, to writer: inout JSONWriter) throws(JSONWriteError) {
        writer.key("worst")
        guard let worst else {
            writer.null()
            return
        }
        writer.beginObject()
        writer.key("row")
        writer.integer(worst.index.row)
        writer.key("col")
        writer.integer(worst.index.col)
        writer.key("analytic")
        try writer.number(worst.analytic)
        writer.key("numeric")
        try writer.number(worst.numeric)
        writer.endObject()
    }

    /// A tensor's `kinks` member, in the full answer and in a shard's partial one alike.
    static func writeKinks(count: Int, subgradientChecked: Int, examples: [EntryIndex], to writer: inout JSONWriter) {
        writer.key("kinks")
        writer.beginObject()
        writer.key("count")
        writer.integer(count)
        writer.key("subgradient_checked")
        writer.integer(subgradientChecked)
        writer.key("examples")
        writer.beginArray()
        for index in examples {
            writer.beginArray()
            writer.integer(index.row)
            writer.integer(index.col)
            writer.endArray()
        }
        writer.endArray()
        writer.endObject()
    }
}
