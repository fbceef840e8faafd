import GradCheck
import JSON

/// Turns a JSON value into a tensor of any rank: a number is a scalar, nested lists must be
/// rectangular at every level (numpy's `.tolist()` of an ndarray), with finite numbers only.
enum TensorReader {
    /// Ranks above this are refused: no course layer takes more than 4 dimensions.
    static let maxRank = 6

    static func tensor(_ value: JSONValue, field: String) throws(RequestError) -> Tensor {
        if case .number(let number) = value { return Tensor(scalar: number) }
        guard value.isArray else {
            throw RequestError.invalid(field, "expected a (nested) list of numbers, got \(value.typeDescription)")
        }
        var shape: [Int] = []
        var level = value
        func tooManyLevels() -> RequestError {
            RequestError.invalid(field, "more than \(maxRank) nested levels; expected an array of at most \(maxRank) dimensions")
        }
        while level.isArray {
            guard shape.count < maxRank else { throw tooManyLevels() }
            // A packed list (the reader's `.numbers`) is never empty and holds numbers only.
            if case .numbers(let numbers) = level {
                shape.append(numbers.count)
                break
            }
            // A packed matrix is two levels: its rows, then their numbers (none empty, all one length).
            if case .matrix(let matrix) = level {
                shape.append(matrix.rows)
                guard shape.count < maxRank else { throw tooManyLevels() }
                shape.append(matrix.columns)
                break
            }
            guard case .array(let items) = level else { break }
            shape.append(items.count)
            guard let first = items.first else {
                throw RequestError.invalid(field, "an empty list at depth \(shape.count); every dimension needs at least one entry")
            }
            level = first
        }
        var values: [Double] = []
        values.reserveCapacity(Tensor.count(of: shape))
        var path: [Int] = []
        try collect(value, depth: 0, shape: shape, into: &values, field: field, path: &path)
        return Tensor(shape: shape, values: values)
    }

    /// Appends the numbers below `value` in row-major order; `path` is where `value` sits (kept
    /// in place, formatted only for an error).
    private static func collect(
        _ value: JSONValue, depth: Int, shape: [Int], into values: inout [Double], field: String, path: inout [Int]
    ) throws(RequestError) {
        if case .matrix(let matrix) = value {
            if depth == shape.count - 2 && matrix.rows == shape[depth] && matrix.columns == shape[depth + 1] {
                values.append(contentsOf: matrix.values)
                return
            }
            // Rows where numbers are expected, or a ragged level: the same messages as unpacked.
            return try collect(.array(matrix.rowValues), depth: depth, shape: shape, into: &values, field: field, path: &path)
        }
        if case .numbers(let numbers) = value {
            if depth == shape.count - 1 && numbers.count == shape[depth] {
                values.append(contentsOf: numbers)
                return
            }
            // Numbers where lists are expected, or a ragged row: the same messages as unpacked.
            return try collect(.array(numbers.map { .number($0) }), depth: depth, shape: shape, into: &values, field: field, path: &path)
        }
        guard case .array(let items) = value, items.count == shape[depth] else {
            let got: String
            if case .array(let items) = value { got = "\(items.count) entries" } else { got = value.typeDescription }
            throw RequestError.invalid(
                field,
                "ragged: the list\(at(path)) has \(got) where the first list at its depth has \(shape[depth]) (shape \(Tensor.describe(shape)))"
            )
        }
        if depth == shape.count - 1 {
            for (i, item) in items.enumerated() {
                guard case .number(let number) = item else {
                    path.append(i)
                    throw RequestError.invalid(
                        field,
                        "entry\(at(path)) is \(item.typeDescription); expected a number (the array's shape is \(Tensor.describe(shape)))")
                }
                values.append(number)
            }
            return
        }
        for (i, item) in items.enumerated() {
            path.append(i)
            try collect(item, depth: depth + 1, shape: shape, into: &values, field: field, path: &path)
            path.removeLast()
        }
    }

    private static func at(_ path: [Int]) -> String {
        path.isEmpty ? "" : " at [" + path.map(String.init).joined(separator: "][") + "]"
    }

    /// An object of named tensors (`inputs`, `upstream`, `gradients`, `params`).
    static func tensors(_ value: JSONValue, field: String) throws(RequestError) -> [String: Tensor] {
        guard case .object(let object) = value else {
            throw RequestError.invalid(field, "expected an object of named arrays, got \(value.typeDescription)")
        }
        var tensors: [String: Tensor] = [:]
        for (key, entry) in object.members {
            tensors[key] = try tensor(entry, field: "\(field).\(key)")
        }
        return tensors
    }
}

extension RequestError {
    /// A layer's own error (shapes, hyper-parameters, names) as the 422 naming its field.
    init(_ error: LayerError) {
        self = .invalid(error.field, error.message)
    }
}
