import Digest
import GradCheck

/// The `text/html` answer of `/gradcheck`: one self-contained document (no script, no external
/// resource; its stylesheet inline and allowed by hash). The page at `GET /` shows the same
/// report by taking its `<main id="report">`.
public enum ReportHTML {
    /// The report's Content-Security-Policy: nothing but its own inline stylesheet.
    public static let contentSecurityPolicy =
        "default-src 'none'; style-src \(SHA256.cspSource(ReportStyle.css)); base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    public static func document(_ report: GradientCheckReport) -> [UInt8] {
        wrap { out in body(report, into: &out) }
    }

    /// The scalar case's page: `threshold`, `method` and `epsilon` are the request's.
    public static func document(
        scalar result: ScalarCase.CheckResult, threshold: Double, method: DifferenceMethod, epsilon: Double
    ) -> [UInt8] {
        wrap { out in
            verdict(passed: result.passed, message: result.message, into: &out)
            out += "<dl class=\"summary\">"
            fact("difference", Markup.number(result.difference), into: &out)
            fact("threshold", Markup.number(threshold), into: &out)
            fact("dtheta (analytic)", Markup.number(result.gradient), into: &out)
            fact("gradapprox (numeric)", Markup.number(result.approximation), into: &out)
            fact("method", method.rawValue + ", epsilon " + Markup.number(epsilon), into: &out)
            out += "</dl><p class=\"note\">The scalar case J(theta) = theta * x has no tensors to draw.</p>"
        }
    }

    static func wrap(_ content: (inout String) -> Void) -> [UInt8] {
        var out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        out += "<title>gradcheck report</title><style>\(ReportStyle.css)</style></head>\n<body>"
        out += "<main class=\"report\" id=\"report\"><h1>Gradient check report</h1>"
        content(&out)
        out += "</main></body></html>\n"
        return Array(out.utf8)
    }

    /// "no ReLU kinks", or "2 at a ReLU kink, checked as subgradients" (the value must lie
    /// between the one-sided quotients); those that could not be checked so are counted apart.
    static func kinkSummary(_ count: Int, subgradients: Int) -> String {
        switch (count, subgradients) {
        case (0, _): return "no ReLU kinks"
        case (1, 1): return "1 at a ReLU kink, checked as a subgradient"
        case _ where subgradients == count: return "\(count) at a ReLU kink, checked as subgradients"
        default:
            return
                "\(count) at a ReLU kink (\(subgradients) checked as \(subgradients == 1 ? "a subgradient" : "subgradients"), \(count - subgradients) left out)"
        }
    }

    private static func body(_ report: GradientCheckReport, into out: inout String) {
        verdict(passed: report.passed, message: report.message, into: &out)
        out += "<dl class=\"summary\">"
        fact("difference", Markup.number(report.difference), into: &out)
        fact("threshold", Markup.number(report.threshold), into: &out)
        fact("method", report.methodUsed.rawValue + ", epsilon " + Markup.number(report.epsilon), into: &out)
        fact(
            "mode",
            report.mode.kind.rawValue + ", \(report.checkedCount) checked, "
                + kinkSummary(report.kinkCount, subgradients: report.parameters.reduce(0) { $0 + $1.subgradientCount }), into: &out)
        if let convention = report.diagnosis.convention { fact("convention", convention.rawValue, into: &out) }
        out += "</dl>"
        diagnosis(report.diagnosis, into: &out)
        if !report.notes.isEmpty {
            out += "<h2>Notes</h2><ul class=\"notes\">"
            for note in report.notes { out += "<li>\(Markup.escape(note))</li>" }
            out += "</ul>"
        }
        let tensors = report.parameters + report.intermediates
        guard !tensors.isEmpty else {
            out += "<p class=\"note\">Directional mode compares whole-gradient directions: there are no per-tensor heatmaps.</p>"
            return
        }
        out +=
            "<h2>Tensors</h2><p>Each cell is one entry, coloured by its relative error; hover over a cell (its tooltip) for its index, analytic and numeric values.</p>"
        HeatmapSVG.legend(threshold: report.threshold, into: &out)
        for tensor in tensors { section(tensor, threshold: report.threshold, into: &out) }
    }

    static func verdict(passed: Bool, message: String, into out: inout String) {
        out +=
            "<p class=\"verdict \(passed ? "pass" : "fail")\" id=\"verdict\"><strong>\(passed ? "PASSED" : "FAILED")</strong>: \(Markup.escape(message))</p>"
    }

    private static func diagnosis(_ diagnosis: BackwardDiagnosis, into out: inout String) {
        guard !diagnosis.rootCauses.isEmpty || !diagnosis.propagated.isEmpty else { return }
        out += "<h2>Root causes</h2><ul class=\"root-causes\">"
        for cause in diagnosis.rootCauses {
            out +=
                "<li>\(Markup.escape(cause.message))\(cause.inferred ? " <span class=\"note\">(inferred: \(Markup.escape(cause.gradient.name)) was not sent)</span>" : "")</li>"
        }
        out += "</ul>"
        if !diagnosis.propagated.isEmpty {
            let names = diagnosis.propagated.map(\.name)
            let list = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names.last!
            out +=
                "<p class=\"propagated\">\(Markup.escape(list)) \(names.count == 1 ? "is" : "are") wrong only because something \(names.count == 1 ? "it is" : "they are") computed from is wrong: fix the root causes first.</p>"
        }
    }

    private static func section(_ tensor: ParameterReport, threshold: Double, into out: inout String) {
        let name = Markup.escape(tensor.name)
        out += "<section class=\"tensor\" id=\"tensor-\(name)\" data-tensor=\"\(name)\" data-passed=\"\(tensor.passed)\">"
        out +=
            "<div class=\"picture\"><h3>\(name) <span class=\"status \(tensor.passed ? "right" : "wrong")\">\(tensor.passed ? "right" : "wrong")</span></h3>"
        let grid = tensor.entries.map { HeatmapGrid($0, threshold: threshold) }
        if let grid { HeatmapSVG.heatmap(tensor.name, grid, into: &out) }
        out += "</div><dl class=\"facts\">"
        fact("difference", Markup.number(tensor.difference), into: &out)
        if let ratio = tensor.ratio, ratio.isFinite { fact("ratio", Markup.number(ratio), into: &out) }
        if let diagnosis = tensor.diagnosis { fact("diagnosis", Markup.escape(diagnosis), into: &out) }
        fact("checked", "\(tensor.checkedCount) \(tensor.checkedCount == 1 ? "entry" : "entries")", into: &out)
        if let note = tensor.kinkNote { fact("kinks", Markup.escape(note), into: &out) }
        if let grid, let entries = tensor.entries {
            let shape = "\(entries.rows) x \(entries.cols)"
            fact(
                "shown",
                grid.isBlocked
                    ? "\(shape) is too large to draw entry by entry: each cell is a \(grid.block) x \(grid.block) block showing its worst entry (\(grid.rows) x \(grid.cols) blocks)"
                    : "\(shape), every entry", into: &out)
        }
        out += "</dl></section>"
    }

    /// `value` must already be markup (escaped text or a number).
    static func fact(_ term: String, _ value: String, into out: inout String) {
        out += "<dt>\(term)</dt><dd>\(value)</dd>"
    }
}
