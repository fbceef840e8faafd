import GradCheck
import JSON

/// A layer or network check as Gradescope's autograder results, like `GradescopeEncoder` does
/// for the notebook's network: one test per gradient worth one point, a hint that names the
/// gradient and the kind of slip, never the expected values.
public enum LayerGradescopeEncoder {
    public static func write(_ report: LayerCheckReport, to writer: inout JSONWriter) throws(JSONWriteError) {
        let causes = Dictionary(report.rootCauses.map { ($0.gradient, $0) }, uniquingKeysWith: { first, _ in first })
        let propagated = Set(report.propagated)
        writer.beginObject()
        try writer.member("score", number: Double(report.gradients.filter(\.passed).count))
        try writer.member("execution_time", number: report.seconds)
        writer.member("output", string: report.message)
        writer.member("visibility", string: "visible")
        writer.member("stdout_visibility", string: "hidden")
        writer.key("tests")
        writer.beginArray()
        for (number, verdict) in report.gradients.enumerated() {
            writer.beginObject()
            writer.member("name", string: verdict.name)
            writer.member("number", string: "\(number + 1)")
            try writer.member("score", number: verdict.passed ? 1 : 0)
            try writer.member("max_score", number: 1)
            writer.member("status", string: verdict.passed ? "passed" : "failed")
            writer.member("output", string: hint(verdict, cause: causes[verdict.name], propagated: propagated.contains(verdict.name)))
            writer.member("visibility", string: "visible")
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }

    /// Where to look, in a sentence without numbers from the check.
    static func hint(_ verdict: GradientVerdict, cause: LayerRootCause?, propagated: Bool) -> String {
        let name = verdict.name
        if verdict.passed { return "\(name) matches the numerical gradient." }
        if verdict.inconclusive { return "\(name) could not be judged at this epsilon: rounding is as large as the gradient." }
        if propagated { return "\(name) is wrong because a gradient flowing into its layer is: fix the earlier mistake first." }
        switch cause?.kind {
        case .scaled?: return "\(name) is off by a constant factor: check the scaling (1/N, 1/p, the window's area) in its line."
        case .signFlipped?: return "\(name) has the wrong sign."
        case .transposed?: return "\(name) is transposed: check the order of the product."
        case .wrongAxis?: return "\(name) is summed or normalised over the wrong axis."
        case .flippedKernel?: return "\(name) is rotated by 180 degrees: check which arguments the correlation takes."
        case .paddingNotRemoved?: return "\(name) still carries the padding: crop it on every side."
        case .strideIgnored?: return "\(name) ignores the stride in the backward."
        case .unpaddedInput?: return "\(name) is accumulated from the unpadded input."
        case .everyMaximum?: return "\(name) sends the upstream to every tied maximum of a window instead of one."
        case .overwritten?: return "\(name) assigns where it should accumulate (= instead of +=)."
        case .missingNormTerms?: return "\(name) is missing the terms through the mean and the variance."
        case .besselMismatch?: return "\(name) uses a different variance (N versus N - 1) than the forward pass."
        case .epsMisplaced?: return "\(name) has eps missing or outside the square root."
        case .gammaFactoredOut?: return "\(name) takes gamma out of sums over which it varies."
        case .maskNotApplied?: return "\(name) does not apply the dropout mask."
        case .keepDropSwapped?: return "\(name) scales by the drop probability where the keep probability belongs."
        case .upstreamNotAdded?: return "\(name) does not add each step's upstream gradient to the one carried back."
        case .wrongActivationDerivative?: return "\(name) takes an activation's derivative from the wrong value."
        case .gateOrder?: return "\(name) has the gates' slices in the wrong order."
        case .missingPath?: return "\(name) is missing a path of the cell state's gradient."
        case .maskIgnored?: return "\(name) ignores the mask."
        case .missingL2?: return "\(name) is missing the L2 regularisation term."
        case .zero?: return "\(name) is all zero: its line is missing or its result is not stored."
        case .wrongEntries?: return "\(name) has a few wrong entries: look for an indexing slip."
        case .unexplained?, nil: return "\(name) does not match the numerical gradient: recheck its formula."
        }
    }
}
