import GradCheck
import JSON

/// Writes gradient-check reports as the `/gradcheck` JSON answer (field names in OpenAPIDocument).
enum ReportEncoder {
    /// Whether a merged answer's partials were verified (signed with the fleet's shard key), and why.
    struct Verification {
        let verified: Bool
        let reason: String
    }

    /// `verification`: a merged answer's, written as `verified` and `verification` at its end.
    static func write(
        _ report: GradientCheckReport, verification: Verification? = nil, to writer: inout JSONWriter
    ) throws(JSONWriteError) {
        writer.beginObject()
        try writeVerdict(
            difference: report.difference, passed: report.passed, inconclusive: report.inconclusive, message: report.message,
            epsilon: report.epsilon, threshold: report.threshold, method: report.methodUsed, to: &writer)
        writer.member("mode", string: report.mode.kind.rawValue)
        writer.member("dtype", string: report.precision.rawValue)
        try writer.member("floor", number: report.floor)
        writer.member("explanation", string: report.explanation)
        writer.member("checked", integer: report.checkedCount)
        writer.member("kinks", integer: report.kinkCount)
        writer.member("cost_evaluations", integer: report.costEvaluations)
        try writer.member("seconds", number: report.elapsedSeconds)
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
                try writer.member("analytic", number: direction.analytic)
                try writer.member("numeric", number: direction.numeric)
                writer.member("crosses_kink", bool: direction.crossesKink)
                writer.endObject()
            }
            writer.endArray()
        }
        writer.key("notes")
        writer.beginArray()
        for note in report.notes { writer.string(note) }
        writer.endArray()
        if let verification {
            writer.member("verified", bool: verification.verified)
            writer.member("verification", string: verification.reason)
        }
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
            writer.member("gradient", string: cause.gradient.name)
            writer.member("layer", integer: cause.layer)
            writer.member("kind", string: cause.kind.rawValue)
            if let factor = cause.factor, factor.isFinite {
                try writer.member("factor", number: factor)
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
            writer.member("message", string: cause.message)
            writer.member("inferred", bool: cause.inferred)
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
        try writer.member("dtheta", number: result.gradient)
        try writer.member("gradapprox", number: result.approximation)
        writer.endObject()
    }

    private static func writeVerdict(
        difference: Double, passed: Bool, inconclusive: Bool? = nil, message: String, epsilon: Double,
        threshold: Double, method: DifferenceMethod,
        to writer: inout JSONWriter
    ) throws(JSONWriteError) {
        try writer.member("difference", number: difference)
        writer.member("passed", bool: passed)
        // A network check says whether the numbers could decide; the scalar case always can.
        if let inconclusive { writer.member("inconclusive", bool: inconclusive) }
        writer.member("message", string: message)
        try writer.member("epsilon", number: epsilon)
        try writer.member("threshold", number: threshold)
        writer.member("method", string: method.rawValue)
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
        try writer.member("difference", number: parameter.difference)
        writer.member("passed", bool: parameter.passed)
        writer.member("inconclusive", bool: parameter.inconclusive)
        writer.member("checked", integer: parameter.checkedCount)
        try writeWorst(parameter.worst, to: &writer)
        writer.key("ratio")
        // A ratio is a diagnosis, not a result: an infinite one is simply no diagnosis.
        if let ratio = parameter.ratio, ratio.isFinite { try writer.number(ratio) } else { writer.null() }
        writer.key("diagnosis")
        if let diagnosis = parameter.diagnosis { writer.string(diagnosis) } else { writer.null() }
        try writer.member("floor", number: parameter.floor)
        try writer.member("max_relative_error", number: parameter.maxRelativeError)
        writer.member("band", string: parameter.band.rawValue)
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
        writer.member("row", integer: worst.index.row)
        writer.member("col", integer: worst.index.col)
        try writer.member("analytic", number: worst.analytic)
        try writer.member("numeric", number: worst.numeric)
        writer.endObject()
    }

    /// A tensor's `kinks` member, in the full answer and in a shard's partial one alike.
    static func writeKinks(count: Int, subgradientChecked: Int, examples: [EntryIndex], to writer: inout JSONWriter) {
        writer.key("kinks")
        writer.beginObject()
        writer.member("count", integer: count)
        writer.member("subgradient_checked", integer: subgradientChecked)
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
