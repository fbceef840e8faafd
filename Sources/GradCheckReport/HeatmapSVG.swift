/// SVG markup for one tensor's heatmap and for the colour legend. The same elements go inline
/// into the HTML report and, stacked, into the `image/svg+xml` answer (`ReportSVG`).
enum HeatmapSVG {
    static let namespace = "http://www.w3.org/2000/svg"
    /// Outline of a wrong entry: red, away from every colour of the scale.
    static let wrongStroke = "#e8112d"
    /// Width the heatmaps aim for, in CSS pixels.
    static let targetWidth = 640

    /// Pixels per cell: as large as fits `targetWidth`, at least 3 so a cell can be pointed at.
    static func cellPixels(_ grid: HeatmapGrid) -> Int {
        max(3, min(28, targetWidth / max(grid.cols, 1)))
    }

    static func size(_ grid: HeatmapGrid) -> (width: Int, height: Int) {
        let pixels = cellPixels(grid)
        return (grid.cols * pixels, grid.rows * pixels)
    }

    /// An `<svg>` element of `grid` at (x, y) (nested in the SVG answer; 0, 0 inline in HTML).
    /// Every cell is a `<rect>` in `<g class="cells">` with a `<title>` (the tooltip).
    static func heatmap(_ name: String, _ grid: HeatmapGrid, x: Int = 0, y: Int = 0, into out: inout String) {
        let (width, height) = size(grid)
        let label = Markup.escape(name)
        out +=
            "<svg xmlns=\"\(namespace)\" class=\"heatmap\" id=\"heatmap-\(label)\" x=\"\(x)\" y=\"\(y)\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(grid.cols) \(grid.rows)\" role=\"img\" aria-label=\"\(label): relative error per \(grid.isBlocked ? "block" : "entry")\">"
        out += "<g class=\"cells\" shape-rendering=\"crispEdges\">"
        for cell in grid.cells {
            switch cell.state {
            case .compared:
                out +=
                    "<rect x=\"\(cell.col)\" y=\"\(cell.row)\" width=\"1\" height=\"1\" fill=\"\(ErrorColourScale.colour(cell.relativeError))\">"
            case .wrong:
                out +=
                    "<rect class=\"wrong\" x=\"\(cell.col).08\" y=\"\(cell.row).08\" width=\".84\" height=\".84\" fill=\"\(ErrorColourScale.colour(cell.relativeError))\" stroke=\"\(wrongStroke)\" stroke-width=\".16\">"
            case .kink:
                out +=
                    "<rect class=\"kink\" x=\"\(cell.col).1\" y=\"\(cell.row).1\" width=\".8\" height=\".8\" fill=\"\(ErrorColourScale.kinkColour)\" stroke=\"#000\" stroke-width=\".08\" stroke-dasharray=\".16 .12\">"
            case .notChecked:
                out +=
                    "<rect class=\"unchecked\" x=\"\(cell.col).05\" y=\"\(cell.row).05\" width=\".9\" height=\".9\" fill=\"\(ErrorColourScale.notCheckedColour)\" stroke=\"#ccc\" stroke-width=\".05\">"
            }
            out += "<title>"
            out += tooltip(label, cell, grid: grid)
            out += "</title></rect>"
        }
        out += "</g></svg>"
    }

    /// "W2[2][0] analytic 1.8316 numeric 0.915802 error 0.33", or for a block
    /// "W1[6-11][12-17] worst [8][13]: ...". Kept short: a large report has 30,000 of them.
    /// `label` is already escaped.
    private static func tooltip(_ label: String, _ cell: HeatmapGrid.Cell, grid: HeatmapGrid) -> String {
        var text = label
        if grid.isBlocked {
            let r0 = cell.row * grid.block
            let c0 = cell.col * grid.block
            text += "[\(r0)-\(r0 + grid.block - 1)][\(c0)-\(c0 + grid.block - 1)] worst \(cell.entry):"
        } else {
            text += "\(cell.entry)"
        }
        switch cell.state {
        case .notChecked: return text + " not checked (not drawn by sample mode)"
        case .kink: text += " at a kink, checked as a subgradient (the central quotient straddles it)"
        case .wrong: text += " WRONG"
        case .compared: break
        }
        return text + " analytic " + Markup.number(cell.analytic) + " numeric " + Markup.number(cell.numeric)
            + " error " + Markup.short(cell.relativeError)
    }

    static let legendHeight = 64

    /// The colour scale with its decades, the threshold marked, and the outline and kink keys.
    /// Its viewBox lets it shrink with the page on a narrow screen instead of being cut off.
    static func legend(threshold: Double, x: Int = 0, y: Int = 0, into out: inout String) {
        let barWidth = 480
        let left = 18
        let colours = ErrorColourScale.colours
        let step = Double(barWidth) / Double(colours.count)
        out +=
            "<svg xmlns=\"\(namespace)\" class=\"legend\" x=\"\(x)\" y=\"\(y)\" width=\"\(barWidth + 150)\" height=\"\(legendHeight)\" viewBox=\"0 0 \(barWidth + 150) \(legendHeight)\" role=\"img\" aria-label=\"colour scale: relative error from 1e-16 to 1, threshold \(Markup.short(threshold))\">"
        out +=
            "<text x=\"\(left)\" y=\"12\" font-size=\"12\" font-family=\"sans-serif\">relative error |g - n| / (|g| + |n|), log scale</text>"
        for (i, colour) in colours.enumerated() {
            out +=
                "<rect x=\"\(Markup.number(Double(left) + Double(i) * step))\" y=\"18\" width=\"\(Markup.number(step + 0.5))\" height=\"14\" fill=\"\(colour)\"/>"
        }
        for decade in stride(from: ErrorColourScale.lowestDecade, through: 0, by: 4) {
            let position = Double(left) + Double(decade - ErrorColourScale.lowestDecade) * step
            out +=
                "<text x=\"\(Markup.number(position))\" y=\"46\" font-size=\"10\" font-family=\"sans-serif\" text-anchor=\"middle\">1e\(decade)</text>"
        }
        let mark = Double(left) + ErrorColourScale.position(threshold) * Double(barWidth)
        out +=
            "<line x1=\"\(Markup.number(mark))\" x2=\"\(Markup.number(mark))\" y1=\"14\" y2=\"36\" stroke=\"\(wrongStroke)\" stroke-width=\"2\"/>"
        out +=
            "<text x=\"\(Markup.number(mark))\" y=\"60\" font-size=\"10\" font-family=\"sans-serif\" text-anchor=\"middle\" fill=\"\(wrongStroke)\">threshold \(Markup.short(threshold))</text>"
        let keys = left + barWidth + 14
        out +=
            "<rect x=\"\(keys)\" y=\"18\" width=\"12\" height=\"12\" fill=\"\(colours[12])\" stroke=\"\(wrongStroke)\" stroke-width=\"2\"/>"
        out += "<text x=\"\(keys + 18)\" y=\"28\" font-size=\"11\" font-family=\"sans-serif\">wrong entry</text>"
        out +=
            "<rect x=\"\(keys)\" y=\"38\" width=\"12\" height=\"12\" fill=\"\(ErrorColourScale.kinkColour)\" stroke=\"#000\" stroke-dasharray=\"2 2\"/>"
        out += "<text x=\"\(keys + 18)\" y=\"48\" font-size=\"11\" font-family=\"sans-serif\">kink (subgradient)</text>"
        out += "</svg>"
    }
}
