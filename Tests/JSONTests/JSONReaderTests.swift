import Testing

@testable import JSON

@Suite struct JSONReaderTests {
    private func parseError(_ text: String) -> JSONParseError? {
        do {
            _ = try JSONReader.parse(Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func readsEveryKindOfValueInDocumentOrder() throws {
        let text = #" { "b": [1, -2.5, 3e2, true, false, null], "a": {"nested": "x\"y\\z\/\b\f\n\r\t\u00e9\ud83d\ude00"}, "": [] } "#
        let value = try JSONReader.parse(text)
        guard case .object(let object) = value else {
            Issue.record("not an object")
            return
        }
        #expect(object.keys == ["b", "a", ""])
        #expect(object["b"] == .array([.number(1), .number(-2.5), .number(300), .bool(true), .bool(false), .null]))
        #expect(object["a"] == .object(JSONObject([("nested", .string("x\"y\\z/\u{8}\u{c}\n\r\té😀"))])))
        #expect(object[""] == .array([]))
    }

    @Test func nestedArraysKeepTheirElementsAndOrder() throws {
        // Arrays share one stack of pending elements: each must get exactly its own.
        let value = try JSONReader.parse(#"[[1, [2, 3], []], [[[4]], 5], 6, [], [[], [7, 8, 9]]]"#)
        func number(_ x: Double) -> JSONValue { .number(x) }
        let expected: JSONValue = .array([
            .array([number(1), .array([number(2), number(3)]), .array([])]),
            .array([.array([.array([number(4)])]), number(5)]),
            number(6), .array([]),
            .array([.array([]), .array([number(7), number(8), number(9)])]),
        ])
        #expect(value == expected)
        // A number out of range is named by its place, counted before the nested arrays it follows.
        #expect(parseError(#"{"X": [[1, 2], [3, -1e400]]}"#)?.path == "X[1][1]")
        #expect(parseError(#"[[[1], [2, [3, 1e999]]], 4]"#)?.path == "[0][1][1][1]")
    }

    @Test func readsScalarsAtTopLevelAndRawUTF8() throws {
        #expect(try JSONReader.parse("42") == .number(42))
        #expect(try JSONReader.parse("\"héllo ✓\"") == .string("héllo ✓"))
        #expect(try JSONReader.parse("\n\r\t null \n") == .null)
        #expect(try JSONReader.parse("{}") == .object(JSONObject()))
    }

    @Test func aLeadingByteOrderMarkIsNamed() throws {
        let error = try #require(parseError("\u{FEFF}{\"x\": 2}"))
        #expect(error.offset == 0 && error.message.contains("byte order mark"), "\(error)")
    }

    @Test func emptyAndBlankBodiesAreErrors() {
        #expect(parseError("")?.message.contains("empty body") == true)
        #expect(parseError(" \n\t")?.message.contains("whitespace") == true)
    }

    @Test func trailingGarbageIsRejectedWithItsOffset() throws {
        let error = try #require(parseError(#"{"a": 1} x"#))
        #expect(error.kind == .syntax)
        #expect(error.offset == 9)
        #expect(error.message.contains("trailing garbage"))
        #expect(parseError("[1] [2]") != nil)
        #expect(parseError("1 2") != nil)
    }

    @Test func nanAndInfinityNameTheLiteralAndPythonsAllowNan() throws {
        for (text, word) in [("NaN", "NaN"), ("[1, Infinity]", "Infinity"), (#"{"x": -Infinity}"#, "-Infinity")] {
            let error = try #require(parseError(text))
            #expect(error.kind == .syntax)
            #expect(error.message.hasPrefix(word + " is not valid JSON"), "\(error.message)")
            #expect(error.message.contains("json.dumps"))
            #expect(error.message.contains("allow_nan=False"))
        }
        #expect(try #require(parseError("[1, Infinity]")).offset == 4)
    }

    @Test func syntaxErrorsCarryOffsetsAndSayWhatWasExpected() throws {
        let cases: [(String, Int, String)] = [
            ("[1, 2", 5, "unexpected end of input"),
            ("[1 2]", 3, "expected ',' or ']'"),
            (#"{"a" 1}"#, 5, "expected ':'"),
            (#"{"a": 1,}"#, 8, "expected a string key"),
            ("[1,]", 3, "expected a JSON value"),
            ("{'a': 1}", 1, "expected a string key"),
            ("tru", 0, "expected true"),
            ("nul", 0, "expected null"),
            (#""abc"#, 0, "unterminated string"),
            ("\"a\u{01}b\"", 2, "control character"),
            (#""\x""#, 1, "invalid escape"),
            (#""\u12G4""#, 5, "hex digit"),
            (#""\ud800""#, 1, "unpaired UTF-16 surrogate"),
            (#""\udc00x""#, 1, "unpaired UTF-16 surrogate"),
            (#"{"a": 1, "a": 2}"#, 9, "duplicate key \"a\""),
            ("// comment\n1", 0, "expected a JSON value"),
        ]
        for (text, offset, fragment) in cases {
            let error = try #require(parseError(text), "\(text) should fail")
            #expect(error.offset == offset, "\(text): \(error)")
            #expect(error.message.contains(fragment), "\(text): \(error)")
        }
    }

    @Test func invalidUTF8IsRejected() throws {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0xEF, 0xBB, 0xBF, 0x31]] {
            #expect(throws: JSONParseError.self) { try JSONReader.parse(bytes) }
        }
        // Escapes in the same string take the slow path; invalid bytes there are caught too.
        #expect(throws: JSONParseError.self) { try JSONReader.parse([0x22, 0x5C, 0x6E, 0xFF, 0x22]) }
    }

    @Test func nestingIsLimitedWithoutRecursingAway() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try JSONReader.parse(ok) }
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        let error = try #require(parseError(deep))
        #expect(error.kind == .tooDeep)
        #expect(error.offset == 64)
        // A hostile body far deeper than any stack: refused at the limit, no crash.
        let hostile = Array(repeating: UInt8(ascii: "["), count: 1_000_000)
        #expect { try JSONReader.parse(hostile) } throws: { ($0 as? JSONParseError)?.kind == .tooDeep }
        let objects = String(repeating: #"{"a":"#, count: 10) + "1" + String(repeating: "}", count: 10)
        #expect(throws: JSONParseError.self) { try JSONReader.parse(objects, maxDepth: 9) }
        #expect(throws: Never.self) { try JSONReader.parse(objects, maxDepth: 10) }
    }

    @Test func everyPrefixOfAValidDocumentIsAnErrorNotACrash() {
        let text = Array(#"{"X": [[1.5, -2e-3]], "s": "a\u00e9\n", "t": [true, false, null]}"#.utf8)
        for end in 0..<text.count {
            #expect(throws: JSONParseError.self) { try JSONReader.parse(Array(text[..<end])) }
        }
        #expect(throws: Never.self) { try JSONReader.parse(text) }
    }

    @Test func everySingleByteIsHandled() {
        for byte in UInt8.min...UInt8.max {
            let result = Result { try JSONReader.parse([byte]) }
            if (0x30...0x39).contains(byte) {
                #expect((try? result.get()) == .number(Double(byte - 0x30)))
            } else if case .success(let value) = result {
                Issue.record("byte \(byte) parsed as \(value)")
            }
        }
    }
}

@Suite struct JSONReaderEntryPointTests {
    @Test func slicesAndRawBuffersParseLikeArrays() throws {
        let bytes = Array(#"xx{"a": [1, 2.5]}yy"#.utf8)
        let expected = try JSONReader.parse(Array(bytes[2..<17]))
        #expect(try JSONReader.parse(bytes[2..<17]) == expected)
        let fromRaw = bytes[2..<17].withUnsafeBytes { raw in Result { try JSONReader.parse(raw) } }
        #expect(try fromRaw.get() == expected)
        // The slice's offsets count from the slice's start, as a body's do.
        #expect(throws: JSONParseError(.syntax, offset: 15, message: "unexpected 'y' after the JSON value ended (trailing garbage)")) {
            try JSONReader.parse(bytes[2...])
        }
    }
}
