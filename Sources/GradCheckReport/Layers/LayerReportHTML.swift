import GradCheck

/// The `text/html` report of a layer or network check: the verdict, the root causes, and per
/// gradient its facts and heatmaps (`LayerHeatmaps`), in the notebook report's page and style.
public enum LayerReportHTML {
    public static func document(_ report: LayerCheckReport, title: String) -> [UInt8] {
        ReportHTML.wrap { out in
            ReportHTML.verdict(passed: report.passed, message: report.message, into: &out)
            out += "<dl class=\"summary\">"
            ReportHTML.fact("check", Markup.escape(title), into: &out)
            ReportHTML.fact("difference", Markup.number(report.difference), into: &out)
            ReportHTML.fact("threshold", Markup.number(report.threshold), into: &out)
            ReportHTML.fact("method", "central, epsilon " + Markup.number(report.epsilon), into: &out)
            let kinks = report.kinks == 1 ? "1 kink" : "\(report.kinks) kinks"
            ReportHTML.fact(
                "checked", "\(report.checked) \(report.checked == 1 ? "entry" : "entries"), \(kinks) checked as subgradients", into: &out)
            out += "</dl>"
            if !report.rootCauses.isEmpty || !report.propagated.isEmpty {
                out += "<h2>Root causes</h2><ul class=\"root-causes\">"
                for cause in report.rootCauses { out += "<li>\(Markup.escape(cause.message))</li>" }
                out += "</ul>"
                if !report.propagated.isEmpty {
                    out +=
                        "<p class=\"propagated\">\(Markup.escape(report.propagated.joined(separator: ", "))) \(report.propagated.count == 1 ? "is" : "are") wrong only because a gradient flowing into \(report.propagated.count == 1 ? "it is" : "them is") wrong: fix the root causes first.</p>"
                }
            }
            if !report.notes.isEmpty {
                out += "<h2>Notes</h2><ul class=\"notes\">"
                for note in report.notes { out += "<li>\(Markup.escape(note))</li>" }
                out += "</ul>"
            }
            out +=
                "<h2>Gradients</h2><p>Each cell is one entry, coloured by its relative error; hover over a cell (its tooltip) for its index, analytic and numeric values. A tensor of rank 3 or 4 is drawn once per leading index.</p>"
            HeatmapSVG.legend(threshold: report.threshold, into: &out)
            for verdict in report.gradients { section(verdict, threshold: report.threshold, into: &out) }
        }
    }

    private static func section(_ verdict: GradientVerdict, threshold: Double, into out: inout String) {
        let name = Markup.escape(verdict.name)
        let state = verdict.passed ? "right" : verdict.inconclusive ? "inconclusive" : "wrong"
        out += "<section class=\"tensor\" id=\"tensor-\(name)\" data-tensor=\"\(name)\" data-passed=\"\(verdict.passed)\">"
        out += "<div class=\"picture\"><h3>\(name) <span class=\"status \(verdict.passed ? "right" : "wrong")\">\(state)</span></h3>"
        let (slices, omitted) = LayerHeatmaps.slices(verdict)
        for slice in slices {
            if slices.count > 1 { out += "<p class=\"note\">\(Markup.escape(slice.label))</p>" }
            HeatmapSVG.heatmap(slice.id, HeatmapGrid(slice.entries, threshold: threshold), into: &out)
        }
        if omitted > 0 { out += "<p class=\"note\">\(omitted) more not drawn</p>" }
        out += "</div><dl class=\"facts\">"
        ReportHTML.fact("difference", Markup.number(verdict.difference), into: &out)
        ReportHTML.fact("rel_error", Markup.number(verdict.relError) + " (" + Markup.escape(verdict.band.rawValue) + ")", into: &out)
        ReportHTML.fact("shape", Markup.escape(verdict.analytic.shapeDescription), into: &out)
        if verdict.wrongCount > 0 {
            ReportHTML.fact(
                "wrong", "\(verdict.wrongCount) of \(verdict.checked) \(verdict.checked == 1 ? "entry" : "entries")", into: &out)
        }
        if verdict.kinks > 0 { ReportHTML.fact("kinks", "\(verdict.kinks) checked as subgradients", into: &out) }
        if verdict.tiedGroups > 0 { ReportHTML.fact("ties", "\(verdict.tiedGroups) tied windows checked jointly", into: &out) }
        out += "</dl></section>"
    }
}
