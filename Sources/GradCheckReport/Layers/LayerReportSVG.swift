import GradCheck

/// The `image/svg+xml` answer of a layer or network check: the legend and every gradient's
/// heatmaps stacked in one standalone SVG, each under its name and verdict.
public enum LayerReportSVG {
    public static func document(_ report: LayerCheckReport) -> [UInt8] {
        var body = ""
        var y = 4
        HeatmapSVG.legend(threshold: report.threshold, x: 0, y: y, into: &body)
        y += HeatmapSVG.legendHeight + 8
        var width = 640
        for verdict in report.gradients {
            let (slices, omitted) = LayerHeatmaps.slices(verdict)
            let status = verdict.passed ? "right" : verdict.inconclusive ? "inconclusive" : "wrong"
            let more = omitted > 0 ? " (\(omitted) more not drawn)" : ""
            body +=
                "<text x=\"0\" y=\"\(y + 14)\" font-size=\"14\" font-family=\"sans-serif\" font-weight=\"bold\" fill=\"\(verdict.passed ? "#2e7d32" : "#c62828")\">\(Markup.escape(verdict.name)) \(status): difference \(Markup.number(verdict.difference))\(more)</text>"
            y += 22
            for slice in slices {
                let grid = HeatmapGrid(slice.entries, threshold: report.threshold)
                if slices.count > 1 {
                    body += "<text x=\"0\" y=\"\(y + 12)\" font-size=\"12\" font-family=\"sans-serif\">\(Markup.escape(slice.label))</text>"
                    y += 16
                }
                HeatmapSVG.heatmap(slice.id, grid, x: 0, y: y, into: &body)
                let size = HeatmapSVG.size(grid)
                y += size.height + 12
                width = max(width, size.width)
            }
        }
        let head =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"\(HeatmapSVG.namespace)\" width=\"\(width)\" height=\"\(y)\" viewBox=\"0 0 \(width) \(y)\">"
            + "<title>gradcheck heatmaps: \(report.passed ? "passed" : "failed"), difference \(Markup.number(report.difference))</title>"
        return Array((head + body + "</svg>\n").utf8)
    }
}
