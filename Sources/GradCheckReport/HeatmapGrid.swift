import GradCheck

/// The cells of one tensor's heatmap: one per entry, or, for a tensor with a side longer than
/// `maxSide`, one per square block of entries showing the worst entry in it. This bounds a
/// heatmap at `maxSide` squared cells (about 180 bytes each with its tooltip).
public struct HeatmapGrid {
    /// Blocks start when a side is longer than this. 200 made the 1024-512-256-1 network's report
    /// 5.5 MB (29,800 cells); 170 draws its W1 in 7 x 7 blocks and W2 in 4 x 4 (19,000 cells).
    public static let maxSide = 170

    enum State { case compared, wrong, kink, notChecked }

    struct Cell {
        let row: Int
        let col: Int
        /// The entry shown (the worst of its block).
        let entry: EntryIndex
        let state: State
        let analytic: Double
        let numeric: Double
        let relativeError: Double
    }

    let rows: Int
    let cols: Int
    /// Entries per block side (1: every entry is a cell).
    let block: Int
    let cells: [Cell]

    var isBlocked: Bool { block > 1 }

    /// An entry is outlined as wrong when its relative error is over `threshold` and its
    /// difference is not negligible (under 1e-10 of the tensor's largest value): a dead unit's
    /// exact 0 against a numerical 1e-17 is rounding, not a wrong entry.
    init(_ entries: TensorEntries, threshold: Double) {
        block = max(1, (max(entries.rows, entries.cols) + Self.maxSide - 1) / Self.maxSide)
        rows = (entries.rows + block - 1) / block
        cols = (entries.cols + block - 1) / block
        var largest = 0.0
        for r in 0..<entries.rows {
            for c in 0..<entries.cols {
                if case let .compared(a, n) = entries[r, c] { largest = max(largest, abs(a), abs(n)) }
            }
        }
        let negligible = 1e-10 * largest
        var cells: [Cell] = []
        cells.reserveCapacity(rows * cols)
        for blockRow in 0..<rows {
            for blockCol in 0..<cols {
                var shown: Cell?
                for r in blockRow * block..<min((blockRow + 1) * block, entries.rows) {
                    for c in blockCol * block..<min((blockCol + 1) * block, entries.cols) {
                        let cell = Self.cell(
                            entries[r, c], at: EntryIndex(row: r, col: c), blockRow: blockRow,
                            blockCol: blockCol, threshold: threshold, negligible: negligible)
                        if shown == nil || Self.isWorse(cell, than: shown!) { shown = cell }
                    }
                }
                cells.append(shown!)
            }
        }
        self.cells = cells
    }

    private static func cell(
        _ entry: TensorEntries.Entry, at index: EntryIndex, blockRow: Int, blockCol: Int,
        threshold: Double, negligible: Double
    ) -> Cell {
        switch entry {
        case .notChecked:
            return Cell(row: blockRow, col: blockCol, entry: index, state: .notChecked, analytic: .nan, numeric: .nan, relativeError: 0)
        case let .kink(a, n):
            return Cell(
                row: blockRow, col: blockCol, entry: index, state: .kink, analytic: a, numeric: n,
                relativeError: TensorEntries.relativeError(analytic: a, numeric: n))
        case let .compared(a, n):
            let error = TensorEntries.relativeError(analytic: a, numeric: n)
            let wrong = !(error <= threshold) && !(abs(a - n) <= negligible)
            return Cell(
                row: blockRow, col: blockCol, entry: index, state: wrong ? .wrong : .compared, analytic: a, numeric: n,
                relativeError: error)
        }
    }

    /// Wrong beats right, right beats a kink, a kink beats an entry not checked; then the larger error.
    private static func isWorse(_ a: Cell, than b: Cell) -> Bool {
        func rank(_ s: State) -> Int {
            switch s {
            case .wrong: 3
            case .compared: 2
            case .kink: 1
            case .notChecked: 0
            }
        }
        if rank(a.state) != rank(b.state) { return rank(a.state) > rank(b.state) }
        return a.relativeError > b.relativeError
    }
}
