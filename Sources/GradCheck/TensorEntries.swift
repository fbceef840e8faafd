/// Every entry of one checked tensor, analytic and numeric side by side, for pictures of the
/// check (heatmaps). Kept only when `GradientCheckOptions.keepsEntries` asks for it: 17 bytes
/// per entry that the JSON answer never needs.
public struct TensorEntries: Sendable {
    /// What the check knows about one entry.
    public enum Entry: Sendable, Equatable {
        /// Sample mode did not draw it.
        case notChecked
        /// Its +/- epsilon step crosses a ReLU kink: left out of the verdict.
        case kink(analytic: Double, numeric: Double)
        case compared(analytic: Double, numeric: Double)
    }

    public let rows: Int
    public let cols: Int
    // Row-major; `checked` and `kinks` say how to read the two value arrays.
    private var analytic: [Double]
    private var numeric: [Double]
    private var checked: [Bool]
    private var kinks: [Bool]

    public init(rows: Int, cols: Int) {
        self.rows = rows
        self.cols = cols
        analytic = Array(repeating: 0, count: rows * cols)
        numeric = analytic
        checked = Array(repeating: false, count: rows * cols)
        kinks = checked
    }

    public mutating func record(_ index: EntryIndex, analytic a: Double, numeric n: Double, crossesKink: Bool) {
        let k = index.row * cols + index.col
        analytic[k] = a
        numeric[k] = n
        checked[k] = true
        kinks[k] = crossesKink
    }

    public subscript(row: Int, col: Int) -> Entry {
        let k = row * cols + col
        guard checked[k] else { return .notChecked }
        return kinks[k]
            ? .kink(analytic: analytic[k], numeric: numeric[k])
            : .compared(analytic: analytic[k], numeric: numeric[k])
    }

    /// |g - n| / (|g| + |n|): the notebook's difference for one entry; 0 when both are 0.
    public static func relativeError(analytic a: Double, numeric n: Double) -> Double {
        let denominator = abs(a) + abs(n)
        return denominator == 0 ? 0 : abs(a - n) / denominator
    }

    /// Bytes kept per entry, for pricing a check that keeps them.
    public static let bytesPerEntry = 18
}
