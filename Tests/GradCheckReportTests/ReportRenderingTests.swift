import GradCheck
import Testing

@testable import GradCheckReport

/// The report's pictures drawn straight from a core report, no request involved (the answers
/// over the API are `ReportPictureTests`, in the service's tests).
@Suite struct ReportRenderingTests {
    /// Request-derived text never becomes markup: a hostile note and message come out escaped.
    @Test func hostileTextIsEscaped() throws {
        let hostile = "<script>alert('x')</script>&<img src=x onerror=alert(1)>"
        let checked = GradientChecker().check(
            try Self.network(), inputs: Matrix(rows: 1, cols: 2, values: [1, 2]),
            labels: Matrix(rows: 1, cols: 2, values: [1, 0]),
            options: {
                var o = GradientCheckOptions()
                o.keepsEntries = true
                return o
            }())
        var report = checked
        report.message = hostile
        report.notes.append(hostile)
        let html = String(decoding: ReportHTML.document(report), as: UTF8.self)
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&lt;img src=x onerror=alert(1)&gt;"))
        #expect(Markup.escape("a\"b") == "a&quot;b")
    }

    /// A tensor with a side over HeatmapGrid.maxSide (170) is drawn as blocks, each showing its worst entry, and says so.
    @Test func largeTensorsAreDrawnAsBlocksOfTheirWorstEntry() throws {
        var entries = TensorEntries(rows: 450, cols: 3)
        for r in 0..<450 { for c in 0..<3 { entries.record(EntryIndex(row: r, col: c), analytic: 1, numeric: 1, crossesKink: false) } }
        entries.record(EntryIndex(row: 301, col: 2), analytic: 2, numeric: 1, crossesKink: false)
        let grid = HeatmapGrid(entries, threshold: 1e-7)
        #expect(grid.block == 3 && grid.rows == 150 && grid.cols == 1)  // 450 > 170: blocks of 3
        let wrong = grid.cells.filter { $0.state == .wrong }
        #expect(wrong.count == 1 && wrong.first?.entry == EntryIndex(row: 301, col: 2) && wrong.first?.row == 100)
    }

    static func network() throws -> Network {
        try NetworkBuilder.network(
            parameters: [
                ParameterID(layer: 1, kind: .weight): Matrix(rows: 1, cols: 1, values: [0.5]),
                ParameterID(layer: 1, kind: .bias): Matrix(rows: 1, cols: 1, values: [0.1]),
            ],
            inputs: Matrix(rows: 1, cols: 2, values: [1, 2]), labels: Matrix(rows: 1, cols: 2, values: [1, 0]),
            activation: .relu, output: .sigmoid, lambd: 0)
    }
}
