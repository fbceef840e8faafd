import GradCheck
import JSON

/// Turns a JSON value into a rectangular matrix of finite numbers, or says exactly what is wrong
/// with it (row and entry numbers count from 1, as people count rows).
enum MatrixReader {
    /// What a flat list of numbers (`[1, 2, 3]`) means for a field.
    enum FlatList {
        /// One row: labels `Y` (1 x m).
        case row
        /// One column: a bias `bl` or its gradient `dbl` (n x 1).
        case column
        /// Not accepted: `X` and weights must be nested.
        case rejected
    }

    /// `field` names the matrix in an error; made only then (a path such as `parameters.W1`).
    static func matrix(_ value: JSONValue, field: @autoclosure () -> String, flat: FlatList) throws(RequestError) -> Matrix {
        // The reader's packed forms: a matrix is taken as it is (its rows are numbers, none
        // empty, all of one length: nothing left to check), a flat list as its flat reading.
        if case .matrix(let matrix) = value { return Matrix(rows: matrix.rows, cols: matrix.columns, values: matrix.values) }
        if case .numbers(let values) = value { return try flatList(values, field: field, flat: flat) }
        guard case .array(let rows) = value else {
            throw RequestError.invalid(field(), "expected a nested list of numbers (a matrix), got \(value.typeDescription)")
        }
        guard let first = rows.first else {
            throw RequestError.invalid(field(), "empty list; a matrix needs at least one row and one column")
        }
        if first.isArray {
            return try nested(rows, field: field)
        }
        return try flatList(try numbers(rows, field: field, row: nil), field: field, flat: flat)
    }

    private static func flatList(_ values: [Double], field: () -> String, flat: FlatList) throws(RequestError) -> Matrix {
        switch flat {
        case .row: return Matrix(rows: 1, cols: values.count, values: values)
        case .column: return Matrix(rows: values.count, cols: 1, values: values)
        case .rejected:
            throw RequestError.invalid(
                field(),
                "expected a nested list (one inner list per row), got a flat list of \(values.count) numbers; write [[...]] for a single row"
            )
        }
    }

    private static func nested(_ rows: [JSONValue], field: () -> String) throws(RequestError) -> Matrix {
        var columns = 0
        var values: [Double] = []
        // Packed rows (the reader's `.numbers`) are copied whole; a row of one allocation is
        // taken as it is.
        if rows.count == 1, case .numbers(let entries) = rows[0] {
            return Matrix(rows: 1, cols: entries.count, values: entries)
        }
        for (r, row) in rows.enumerated() {
            if case .numbers(let entries) = row {
                if r == 0 {
                    columns = entries.count
                    values.reserveCapacity(rows.count * columns)
                } else if entries.count != columns {
                    throw raggedRow(r, count: entries.count, columns: columns, field: field)
                }
                values.append(contentsOf: entries)
                continue
            }
            // A row that is a packed matrix (a 3-D body) is refused entry by entry, as unpacked.
            guard let entries = row.arrayElements else {
                throw RequestError.invalid(
                    field(), "row \(r + 1) is \(row.typeDescription); expected a list of numbers (every row must be a list)")
            }
            if r == 0 {
                guard !entries.isEmpty else { throw RequestError.invalid(field(), "row 1 is empty; a matrix needs at least one column") }
                columns = entries.count
                values.reserveCapacity(rows.count * columns)
            } else if entries.count != columns {
                throw raggedRow(r, count: entries.count, columns: columns, field: field)
            }
            try append(entries, to: &values, field: field, row: r + 1)
        }
        return Matrix(rows: rows.count, cols: columns, values: values)
    }

    private static func raggedRow(_ r: Int, count: Int, columns: Int, field: () -> String) -> RequestError {
        RequestError.invalid(
            field(),
            "row \(r + 1) has \(count) \(count == 1 ? "entry" : "entries"), row 1 has \(columns) (rows must all be the same length)"
        )
    }

    private static func numbers(_ entries: [JSONValue], field: () -> String, row: Int?) throws(RequestError) -> [Double] {
        var values: [Double] = []
        values.reserveCapacity(entries.count)
        try append(entries, to: &values, field: field, row: row)
        return values
    }

    /// Appends a row's numbers straight to the matrix's values (no array per row).
    private static func append(_ entries: [JSONValue], to values: inout [Double], field: () -> String, row: Int?) throws(RequestError) {
        for (i, entry) in entries.enumerated() {
            guard case .number(let number) = entry else {
                let place = row.map { "row \($0), entry \(i + 1)" } ?? "entry \(i + 1)"
                let hint = if entry.isArray { " (matrices are 2-D: a list of rows of numbers)" } else { "" }
                throw RequestError.invalid(field(), "\(place) is \(entry.typeDescription); expected a number\(hint)")
            }
            values.append(number)
        }
    }
}
