import GradCheck
import JSON
import Testing

@testable import GradCheckService

/// The service's `JSONWriter.matrix` (the JSON module knows no `Matrix`).
@Suite struct JSONWriterMatrixTests {
    @Test func nonFiniteEntriesAreReportedWithTheirKey() throws {
        let matrix = Matrix(rows: 1, cols: 2, values: [1, -.infinity])
        var matrixWriter = JSONWriter()
        matrixWriter.beginObject()
        matrixWriter.key("AL")
        #expect {
            try matrixWriter.matrix(matrix)
        } throws: { error in
            (error as? JSONWriteError).map { $0.key == "AL" && $0.value == -.infinity } ?? false
        }
    }

    @Test func matricesAreNestedRows() throws {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("AL")
        try writer.matrix(Matrix(rows: 2, cols: 2, values: [1, 0.5, -2, 3e-9]))
        writer.key("n")
        writer.integer(7)
        writer.endObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"AL":[[1,0.5],[-2,3e-09]],"n":7}"#)
    }
}
