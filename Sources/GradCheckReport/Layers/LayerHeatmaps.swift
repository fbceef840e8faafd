import GradCheck

/// A layer gradient as heatmaps: a matrix as itself, a vector as one row, and a tensor of rank
/// 3 or 4 as one heatmap per leading index (per example, per filter), its other axes folded
/// into rows and the last axis as columns.
enum LayerHeatmaps {
    /// Heatmaps drawn per gradient at most; the rest are summed up in one line.
    static let maxSlices = 16

    struct Slice {
        let label: String
        /// The heatmap's name in markup ids: letters, digits and dashes only (`conv1-dw-0`).
        let id: String
        let entries: TensorEntries
    }

    static func slices(_ verdict: GradientVerdict) -> (slices: [Slice], omitted: Int) {
        let shape = verdict.analytic.shape
        let a = verdict.analytic.values
        let n = verdict.numeric.values
        func slice(_ label: String, offset: Int, rows: Int, cols: Int) -> Slice {
            var entries = TensorEntries(rows: rows, cols: cols)
            for r in 0..<rows {
                for c in 0..<cols {
                    let k = offset + r * cols + c
                    entries.record(EntryIndex(row: r, col: c), analytic: a[k], numeric: n[k], crossesKink: false)
                }
            }
            let id = String(label.prefix { $0 != " " }.map { $0.isLetter || $0.isNumber ? $0 : "-" })
            return Slice(label: label, id: id, entries: entries)
        }
        switch shape.count {
        case 0: return ([slice(verdict.name, offset: 0, rows: 1, cols: 1)], 0)
        case 1: return ([slice(verdict.name, offset: 0, rows: 1, cols: shape[0])], 0)
        case 2: return ([slice(verdict.name, offset: 0, rows: shape[0], cols: shape[1])], 0)
        default:
            let cols = shape.last!
            let rows = shape.dropFirst().dropLast().reduce(1, *)
            let drawn = min(shape[0], maxSlices)
            let rest = shape.dropFirst().map(String.init).joined(separator: ", ")
            let slices = (0..<drawn).map { i in
                slice("\(verdict.name)[\(i)] (\(rest))", offset: i * rows * cols, rows: rows, cols: cols)
            }
            return (slices, shape[0] - drawn)
        }
    }
}
