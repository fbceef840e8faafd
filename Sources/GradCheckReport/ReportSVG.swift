import GradCheck

/// The `image/svg+xml` answer of `/gradcheck`: the legend and every tensor's heatmap stacked in
/// one standalone SVG document, each under its name and verdict.
public enum ReportSVG {
    public static func document(_ report: GradientCheckReport) -> [UInt8] {
        let tensors = (report.parameters + report.intermediates).compactMap { tensor in
            tensor.entries.map { (tensor, HeatmapGrid($0, threshold: report.threshold)) }
        }
        var body = ""
        var y = 4
        HeatmapSVG.legend(threshold: report.threshold, x: 0, y: y, into: &body)
        y += HeatmapSVG.legendHeight + 8
        var width = 640
        if tensors.isEmpty {
            body +=
                "<text x=\"10\" y=\"\(y + 14)\" font-size=\"13\" font-family=\"sans-serif\">no per-tensor heatmaps in \(report.mode.kind.rawValue) mode</text>"
            y += 24
        }
        for (tensor, grid) in tensors {
            let status = tensor.passed ? "right" : "wrong"
            let blocks = grid.isBlocked ? ", \(grid.block) x \(grid.block) blocks (worst entry each)" : ""
            body +=
                "<text x=\"0\" y=\"\(y + 14)\" font-size=\"14\" font-family=\"sans-serif\" font-weight=\"bold\" fill=\"\(tensor.passed ? "#2e7d32" : "#c62828")\">\(Markup.escape(tensor.name)) \(status): difference \(Markup.number(tensor.difference))\(blocks)</text>"
            y += 22
            HeatmapSVG.heatmap(tensor.name, grid, x: 0, y: y, into: &body)
            let size = HeatmapSVG.size(grid)
            y += size.height + 16
            width = max(width, size.width)
        }
        let head =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"\(HeatmapSVG.namespace)\" width=\"\(width)\" height=\"\(y)\" viewBox=\"0 0 \(width) \(y)\">"
            + "<title>gradcheck heatmaps: \(report.passed ? "passed" : "failed"), difference \(Markup.number(report.difference))</title>"
        return Array((head + body + "</svg>\n").utf8)
    }

    /// The scalar case has no tensor: a one-line picture of its verdict.
    public static func document(scalar result: ScalarCase.CheckResult) -> [UInt8] {
        let text =
            Markup.escape(result.message) + " (dtheta " + Markup.number(result.gradient) + ", gradapprox "
            + Markup.number(result.approximation) + ")"
        return Array(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"\(HeatmapSVG.namespace)\" width=\"640\" height=\"30\"><text x=\"4\" y=\"20\" font-size=\"13\" font-family=\"sans-serif\">\(text)</text></svg>\n"
                .utf8)
    }
}
