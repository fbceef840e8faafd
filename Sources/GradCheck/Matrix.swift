/// A dense row-major matrix of Doubles: the one numeric container of the core.
///
/// Row-major matches numpy's `.tolist()` nesting, so JSON arrays map onto `values` without
/// reordering.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let cols: Int
    /// Row-major storage, `rows * cols` entries.
    public var values: [Double]

    public init(rows: Int, cols: Int, values: [Double]) {
        precondition(rows >= 0 && cols >= 0 && values.count == rows * cols, "Matrix storage does not match its shape")
        self.rows = rows
        self.cols = cols
        self.values = values
    }

    public init(rows: Int, cols: Int, repeating value: Double = 0) {
        self.init(rows: rows, cols: cols, values: Array(repeating: value, count: rows * cols))
    }

    /// Builds a matrix from rows of equal length; `nil` for a ragged or empty input.
    public init?(nested: [[Double]]) {
        guard let first = nested.first, !first.isEmpty,
            nested.allSatisfy({ $0.count == first.count })
        else { return nil }
        self.init(rows: nested.count, cols: first.count, values: nested.flatMap { $0 })
    }

    public var count: Int { values.count }
    public var shape: Shape { Shape(rows: rows, cols: cols) }

    public subscript(row: Int, col: Int) -> Double {
        get { values[row * cols + col] }
        set { values[row * cols + col] = newValue }
    }

    /// Rows as nested arrays, the shape numpy's `.tolist()` produces.
    public var nested: [[Double]] {
        (0..<rows).map { r in Array(values[(r * cols)..<((r + 1) * cols)]) }
    }

    public func transposed() -> Matrix {
        var out = Matrix(rows: cols, cols: rows)
        for r in 0..<rows {
            for c in 0..<cols { out.values[c * rows + r] = values[r * cols + c] }
        }
        return out
    }

    /// `self * other`. The i-k-j loop order streams both operands row by row.
    public func multiplied(by other: Matrix) -> Matrix {
        precondition(cols == other.rows, "Matrix product shapes \(shape) and \(other.shape) do not chain")
        var out = Matrix(rows: rows, cols: other.cols)
        let n = other.cols
        values.withUnsafeBufferPointer { a in
            other.values.withUnsafeBufferPointer { b in
                out.values.withUnsafeMutableBufferPointer { c in
                    for i in 0..<rows {
                        for k in 0..<cols {
                            let aik = a[i * cols + k]
                            if aik == 0 { continue }
                            let bRow = k * n
                            let cRow = i * n
                            for j in 0..<n { c[cRow + j] += aik * b[bRow + j] }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Sum of squared entries (for L2 regularisation and norms).
    public var sumOfSquares: Double {
        var sum = CompensatedSum()
        for v in values { sum.add(v * v) }
        return sum.value
    }

    /// True when no entry is NaN or infinite.
    public var isFinite: Bool { values.allSatisfy { $0.isFinite } }
}

/// A matrix shape, printed the way numpy prints it: `(5, 4)`.
public struct Shape: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let rows: Int
    public let cols: Int
    public init(rows: Int, cols: Int) {
        self.rows = rows
        self.cols = cols
    }
    public var description: String { "(\(rows), \(cols))" }
}
