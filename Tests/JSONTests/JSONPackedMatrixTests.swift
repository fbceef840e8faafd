import Testing

@testable import JSON

/// `packsNumbers` on arrays of rows: an array of equal-length rows of numbers is read as one
/// `.matrix`; anything else (a ragged or empty row, a row with another kind of element, deeper
/// nesting) is the array of packed rows and values the reader made before, with the same errors,
/// the same depth limit and the same memory asked for.
@Suite struct JSONPackedMatrixTests {
    private func parse(_ text: [UInt8], packed: Bool, maxDepth: Int = JSONReader.defaultMaxDepth) -> Result<JSONValue, JSONParseError> {
        Result { () throws(JSONParseError) in try JSONReader.parse(text, maxDepth: maxDepth, packsNumbers: packed) }
    }

    private func parse(_ text: String, packed: Bool, maxDepth: Int = JSONReader.defaultMaxDepth) -> Result<JSONValue, JSONParseError> {
        parse(Array(text.utf8), packed: packed, maxDepth: maxDepth)
    }

    @Test func equalRowsOfNumbersAreOneMatrix() throws {
        let cases: [(String, columns: Int, values: [Double])] = [
            ("[[1, 2.5, -3e2], [4, 5, 6]]", 3, [1, 2.5, -300, 4, 5, 6]),
            ("[[1]]", 1, [1]),
            ("[[7], [8], [9]]", 1, [7, 8, 9]),
            ("[ [ 1 , 2 ] ,\n\t[ 3 ,4 ]\r\n]", 2, [1, 2, 3, 4]),
            (
                "[[1e308, -1e-308, 5e-324], [-0.0, 0, 123456789012345678901234], [-1.7976931348623157e308, 2E+2, 0.000001]]", 3,
                [
                    1e308, -1e-308, .leastNonzeroMagnitude, -0.0, 0, Double("123456789012345678901234")!, -.greatestFiniteMagnitude, 200,
                    0.000001,
                ]
            ),
        ]
        for (text, columns, values) in cases {
            guard case .success(.matrix(let matrix)) = parse(text, packed: true) else {
                Issue.record("not a matrix: \(text)")
                continue
            }
            #expect(matrix.columns == columns && matrix.rows == values.count / columns, "\(text)")
            #expect(matrix.values.map(\.bitPattern) == values.map(\.bitPattern), "\(text)")
            let plain = try parse(text, packed: false).get()
            #expect(JSONValue.matrix(matrix) == plain && plain == .matrix(matrix), "\(text)")
            #expect(try JSONWriter.encode(.matrix(matrix)) == JSONWriter.encode(plain), "\(text)")
        }
    }

    @Test func otherArraysOfRowsStayRowsAndValues() throws {
        let cases: [(String, JSONValue)] = [
            ("[[1, 2], [3]]", .array([.numbers([1, 2]), .numbers([3])])),
            ("[[1], [2, 3]]", .array([.numbers([1]), .numbers([2, 3])])),
            ("[[1, 2], []]", .array([.numbers([1, 2]), .array([])])),
            ("[[], [1]]", .array([.array([]), .numbers([1])])),
            (#"[[1, 2], ["a", "b"]]"#, .array([.numbers([1, 2]), .array([.string("a"), .string("b")])])),
            (#"[[1, 2], [3, "a"], [4, 5]]"#, .array([.numbers([1, 2]), .array([.number(3), .string("a")]), .numbers([4, 5])])),
            ("[[1, 2], 3]", .array([.numbers([1, 2]), .number(3)])),
            ("[[1, 2], [3, 4], null]", .array([.numbers([1, 2]), .numbers([3, 4]), .null])),
            ("[[1, [2]]]", .array([.array([.number(1), .numbers([2])])])),
            (
                "[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]",
                .array([.matrix(JSONMatrix(columns: 2, values: [1, 2, 3, 4])), .matrix(JSONMatrix(columns: 2, values: [5, 6, 7, 8]))])
            ),
            ("[[[1]], [2]]", .array([.matrix(JSONMatrix(columns: 1, values: [1])), .numbers([2])])),
        ]
        for (text, expected) in cases {
            let packed = try parse(text, packed: true).get()
            let plain = try parse(text, packed: false).get()
            #expect(packed == plain, "\(text)")
            #expect(try JSONWriter.encode(packed) == JSONWriter.encode(plain), "\(text)")
            // The exact form, not only an equal value: the consumers read packed forms directly.
            guard case .array(let elements) = packed, case .array(let expectedElements) = expected else {
                Issue.record("not an array: \(text) read as \(packed)")
                continue
            }
            #expect(elements.count == expectedElements.count, "\(text)")
            for (element, expectedElement) in zip(elements, expectedElements) {
                #expect(form(element) == form(expectedElement) && element == expectedElement, "\(text)")
            }
        }
        let object = try parse(#"{"a": [[1]], "b": [[1, 2], [3, 4]], "c": [[1, 2], [3]]}"#, packed: true).get()
        guard case .object(let members) = object else {
            Issue.record("not an object")
            return
        }
        #expect(members.members.map { form($0.value) } == ["matrix", "matrix", "array"])
    }

    private func form(_ value: JSONValue) -> String {
        switch value {
        case .matrix: "matrix"
        case .numbers: "numbers"
        case .array: "array"
        default: value.typeDescription
        }
    }

    @Test func errorsAreTheSameWordsOffsetsAndPaths() {
        let bad = [
            #"{"X": [[1, 2], [3, -1e400]]}"#, "[[1, 2], [1e999, 2]]", "[[1, 2], [3], [1e999]]", #"[[1, 2], [3, "a"], [1, 1e999]]"#,
            "[[1e999]]", "[[1, 2], [3, 4]", "[[1, 2] [3, 4]]", "[[1, 2], [3, ]]", "[[1, 2], [3,", "[[1, 2],", "[[1, 2], [",
            "[[1, 2], [01]]", "[[1, 2], [-]]", "[[1, 2], [NaN]]", "[[1, 2], [-Infinity]]", "[[1, 2], [1.]]", "[[1, 2], [3, 4}}",
            "[[1, 2], [3 4]]", "[[1, 2], [3, 4]] x", "[[1, 2], [3, 4]],", "[[1, 2], [3, 4],]", "[[1, 2], [3, 4] ", "[[1,", "[[",
            "[[1, 2], [3, 4, 1e999]]", "[[1, 2], [3, 4, 5, ]]", "[[[1, 2], [3, 1e999]]]", #"{"a": {"W1": [[1], [2], [-1e309]]}}"#,
        ]
        for text in bad {
            let plain = parse(text, packed: false)
            guard case .failure(let plainError) = plain else {
                Issue.record("accepted unpacked: \(text)")
                continue
            }
            #expect(parse(text, packed: true) == plain, "\(text)")
            if text.contains("1e999") || text.contains("1e400") || text.contains("1e309") {
                #expect(plainError.kind == .numberOutOfRange, "\(text)")
            }
        }
        guard case .failure(let error) = parse(#"{"X": [[1, 2], [3, -1e400]]}"#, packed: true) else {
            Issue.record("an out-of-range entry was accepted")
            return
        }
        #expect(error.path == "X[1][1]" && error.offset == 19)
        #expect(error.message == "number -1e400 is out of range for a 64-bit float")
        guard case .failure(let nested) = parse(#"{"a": {"W1": [[1], [2], [-1e309]]}}"#, packed: true) else {
            Issue.record("an out-of-range entry was accepted")
            return
        }
        #expect(nested.path == "a.W1[2][0]")
    }

    @Test func theDepthLimitCountsEveryRow() {
        let documents = ["[[1]]", "[[1, 2], [3, 4]]", "[[[1]]]", "[[1], [[2]]]", #"{"a": [[1, 2], [3, 4]]}"#, "[[1, 2], [3]]", "[[], [1]]"]
        for text in documents {
            for maxDepth in 1...4 {
                #expect(
                    parse(text, packed: true, maxDepth: maxDepth) == parse(text, packed: false, maxDepth: maxDepth),
                    "\(text) at \(maxDepth)")
            }
        }
        guard case .failure(let error) = parse("[[1, 2], [3, 4]]", packed: true, maxDepth: 1) else {
            Issue.record("rows past the depth limit were read")
            return
        }
        #expect(error.kind == .tooDeep && error.offset == 1)
    }

    /// Every call the allowance gets, and how the parse ends, granting up to `limit` bytes.
    private func asked(_ body: [UInt8], packed: Bool, limit: Int = .max) -> ([Int], Result<JSONValue, JSONParseError>) {
        var calls: [Int] = []
        var granted = 0
        let result = Result { () throws(JSONParseError) in
            try JSONReader.parse(
                body,
                memory: {
                    calls.append($0)
                    granted += $0
                    return granted <= limit
                }, packsNumbers: packed)
        }
        return (calls, result)
    }

    @Test func aPackedMatrixIsReservedAsItGrowsAndRefusedWhereItsRowsWouldBe() {
        func rows(_ row: String, _ count: Int, last: String? = nil) -> [UInt8] {
            var text = "[" + Array(repeating: row, count: count).joined(separator: ",")
            if let last { text += "," + last }
            return Array((text + "]").utf8)
        }
        let long = "[" + Array(repeating: "0.5", count: 40_000).joined(separator: ",")
        let bodies = [
            rows("[0.25, -1]", 20_000),
            rows("[0.25, -1]", 20_000, last: "[1]"),
            rows("[0.25, -1]", 20_000, last: #"[1, "a"]"#),
            rows("[0.25, -1]", 20_000, last: "[]"),
            // A row that is read past an allowance step and then found ragged (or not numbers
            // only) is read again as any element is: nothing may be asked for twice.
            Array(("[[0], " + long + "]]").utf8),
            Array(("[[0], " + long + #", "a"]]"#).utf8),
            Array(("[" + Array(repeating: "[[1, 2], [3, 4]]", count: 10_000).joined(separator: ",") + "]").utf8),
        ]
        for body in bodies {
            let (packedCalls, packed) = asked(body, packed: true)
            let (plainCalls, plain) = asked(body, packed: false)
            #expect(packedCalls == plainCalls && packedCalls.count > 1)
            #expect(packed == plain)
            // Refused part way: at the same byte, after the same asks, with the same words.
            for limit in [1 << 20, 2 << 20] {
                let (refusedCalls, refused) = asked(body, packed: true, limit: limit)
                let (plainRefusedCalls, plainRefused) = asked(body, packed: false, limit: limit)
                guard case .failure(let error) = refused else {
                    Issue.record("not refused at \(limit) bytes")
                    continue
                }
                #expect(error.kind == .overMemory)
                #expect(refused == plainRefused && refusedCalls == plainRefusedCalls)
            }
        }
    }
}
