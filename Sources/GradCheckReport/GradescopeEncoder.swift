import GradCheck
import JSON

/// The check as Gradescope's autograder results (`results.json`): one test per tensor worth one
/// point, a one-line hint that names the tensor and the kind of mistake but never the expected
/// values, the overall score, and the notebook's verdict as the submission's output.
/// Served for `Accept: application/vnd.gradescope+json` (`ReportFormat.gradescope`). Format:
/// https://gradescope-autograders.readthedocs.io/en/latest/specs/ (score, output,
/// visibility, tests[]: name, score, max_score, status, output, visibility).
public enum GradescopeEncoder {

    public static func write(_ report: GradientCheckReport, to writer: inout JSONWriter) throws(JSONWriteError) {
        let causes = Dictionary(report.diagnosis.rootCauses.map { ($0.gradient, $0) }, uniquingKeysWith: { first, _ in first })
        let propagated = Set(report.diagnosis.propagated)
        let tensors = report.parameters + report.intermediates
        writer.beginObject()
        try writer.member("score", number: Double(tensors.filter(\.passed).count))
        try writer.member("execution_time", number: report.elapsedSeconds)
        writer.member("output", string: report.message + (report.passed ? "" : " (" + report.explanation + ")"))
        writer.member("visibility", string: "visible")
        writer.member("stdout_visibility", string: "hidden")
        writer.key("tests")
        writer.beginArray()
        for (number, tensor) in tensors.enumerated() {
            writer.beginObject()
            writer.member("name", string: tensor.gradient.name)
            writer.member("number", string: "\(number + 1)")
            try writer.member("score", number: tensor.passed ? 1 : 0)
            try writer.member("max_score", number: 1)
            writer.member("status", string: tensor.passed ? "passed" : "failed")
            writer.key("output")
            writer.string(
                hint(
                    tensor, cause: causes[tensor.gradient], propagated: propagated.contains(tensor.gradient),
                    report: report))
            writer.member("visibility", string: "visible")
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }

    /// A hint that says where to look, never what the values should be.
    static func hint(_ tensor: ParameterReport, cause: RootCause?, propagated: Bool, report: GradientCheckReport) -> String {
        let name = tensor.gradient.name
        if tensor.passed { return "\(name) matches the numerical gradient." }
        if propagated, let upstream = report.diagnosis.rootCauses.last(where: { $0.gradient < tensor.gradient }) {
            return "\(name) is wrong because a step before it is: fix \(upstream.gradient.name) first."
        }
        if propagated { return "\(name) is wrong because a step before it is: fix the earlier mistake first." }
        switch cause?.kind {
        case .scaled?: return "\(name) is off by a constant factor: check the scaling (for example 1/m) in the line that computes it."
        case .signFlipped?: return "\(name) has the wrong sign: check the order of the subtraction in the line that computes it."
        case .zero?: return "\(name) is all zero: the line that computes it is missing or its result is not stored."
        case .transposed?: return "\(name) is transposed: check the order of the product and its transposes."
        case .missingL2?: return "\(name) is missing the L2 regularisation term."
        case .l2Scaled?: return "\(name) has the L2 regularisation term with the wrong factor."
        case .l2OnBias?: return "\(name) includes L2 regularisation, which applies to the weights only."
        case .wrongAxis?: return "\(name) is summed over the wrong axis: check which axis the sum runs over."
        case .wrongLayer?: return "\(name) reads another layer's tensor: check the layer index in the line that computes it."
        case .wrongActivationDerivative?: return "\(name) uses the wrong activation derivative: check which function it is applied to."
        case .wrongEntries?: return "\(name) has a few wrong entries: look for an indexing slip."
        case .unexplained?, nil: return "\(name) does not match the numerical gradient: recheck its formula."
        }
    }
}
