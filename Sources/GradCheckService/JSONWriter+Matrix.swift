import GradCheck
import JSON

// Here, not in the JSON module: JSON depends on nothing, and a `Matrix` is the compute core's.
extension JSONWriter {
    /// A matrix as nested rows, the shape numpy's `.tolist()` gives.
    mutating func matrix(_ matrix: Matrix) throws(JSONWriteError) {
        beginArray()
        for row in 0..<matrix.rows {
            beginArray()
            for col in 0..<matrix.cols { try number(matrix[row, col]) }
            endArray()
        }
        endArray()
    }

    mutating func member(_ name: String, matrix value: Matrix) throws(JSONWriteError) {
        key(name)
        try matrix(value)
    }
}
