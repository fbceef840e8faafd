import Testing

@testable import JSON

/// `packsNumbers`: arrays of numbers only read as `.numbers`, equal to the unpacked tree, with
/// the same errors and the same memory asked for.
@Suite struct JSONPackedNumbersTests {
    private func error(_ text: String, packed: Bool) -> JSONParseError? {
        do {
            _ = try JSONReader.parse(Array(text.utf8), packsNumbers: packed)
            return nil
        } catch {
            return error
        }
    }

    @Test func arraysOfNumbersOnlyArePackedAndEqualTheUnpackedTree() throws {
        let documents = [
            #"{"X": [[1, 2.5, -3e2], [4, 5, 6]], "Y": [0, 1], "b": [[7]], "e": [], "m": [1, "a", 2], "n": [[1, [2]], 3]}"#,
            #"[1, 2, [3, 4], [], [[5]], true, null, -0.5]"#,
            #"[ 1 , 2 ,3 ]"#, "[-1]", "[[], [1], [1, {}], [{}, 1]]",
        ]
        for text in documents {
            let packed = try JSONReader.parse(Array(text.utf8), packsNumbers: true)
            let plain = try JSONReader.parse(text)
            #expect(packed == plain, "\(text)")
            #expect(try JSONWriter.encode(packed) == JSONWriter.encode(plain), "\(text)")
        }
        let value = try JSONReader.parse(
            Array(#"{"X": [[1, 2], [3, 4]], "m": [1, "a"], "e": [], "r": [[1], [2, 3]]}"#.utf8), packsNumbers: true)
        guard case .object(let object) = value, case .matrix(let matrix)? = object["X"] else {
            Issue.record("X is not a packed matrix")
            return
        }
        #expect(matrix.rows == 2 && matrix.columns == 2 && matrix.values == [1, 2, 3, 4])
        #expect(object["X"] == .array([.numbers([1, 2]), .numbers([3, 4])]))
        // Ragged rows stay an array of packed rows.
        guard case .array(let rows)? = object["r"] else {
            Issue.record("r is not an array of rows")
            return
        }
        #expect(rows == [.numbers([1]), .numbers([2, 3])])
        #expect(rows.allSatisfy { if case .numbers = $0 { true } else { false } })
        if case .array(let mixed)? = object["m"] { #expect(mixed == [.number(1), .string("a")]) } else { Issue.record("m not unpacked") }
        if case .array(let empty)? = object["e"] { #expect(empty.isEmpty) } else { Issue.record("e not an empty array") }
        #expect(JSONValue.numbers([1, 2]) != .array([.number(1), .string("2")]))
        #expect(JSONValue.numbers([1, 2]) != .array([.number(1)]))
        #expect(JSONValue.numbers([1]).typeDescription == "an array")
    }

    @Test func errorsAreTheSameWordsOffsetsAndPaths() {
        let bad = [
            #"{"X": [[1, 2], [3, -1e400]]}"#, #"{"X": [[1, 2], [3, ]]}"#, #"{"X": [[1, 2], [3, "#, "[1, 2", "[1 2]", "[1, NaN]",
            "[1, -Infinity]", "[01]", "[1, -]", "[1.]", "[1e]", "[1, tru]", #"[1, 2, "x"#, "[1, [2, 1e999]]", "[1,]",
            "[-1e400]", "[1, 2}", "[", "[ ", "[1, ", "[1", "[-", "[[1, 2], [",
        ]
        for text in bad {
            let plain = error(text, packed: false)
            #expect(plain != nil, "\(text)")
            #expect(error(text, packed: true) == plain, "\(text)")
        }
    }

    @Test func aPackedArrayIsReservedAsItGrows() throws {
        func asked(_ text: [UInt8], packed: Bool) throws -> [Int] {
            var calls: [Int] = []
            _ = try JSONReader.parse(
                text,
                memory: {
                    calls.append($0)
                    return true
                }, packsNumbers: packed)
            return calls
        }
        let flat = Array("[".utf8) + Array(repeating: Array("0.5,".utf8), count: 100_000).flatMap { $0 } + Array("1]".utf8)
        let nested = Array("[".utf8) + Array(repeating: Array("[0],".utf8), count: 20_000).flatMap { $0 } + Array("[0]]".utf8)
        for body in [flat, nested] {
            #expect(try asked(body, packed: true) == asked(body, packed: false))
        }
        // A refusal stops a long packed array part way.
        var granted = 0
        #expect(throws: JSONParseError.self) {
            try JSONReader.parse(
                flat,
                memory: {
                    granted += $0
                    return granted <= 1 << 20
                }, packsNumbers: true)
        }
    }
}
