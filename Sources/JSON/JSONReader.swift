/// A strict RFC 8259 JSON reader: a pure function from bytes to `JSONValue`.
///
/// Written by hand rather than with Foundation's JSONSerialization because request bodies are
/// mostly long arrays of numbers, and Foundation spends about 10 ms on a 251 KB body; this reader
/// walks the bytes once and parses numbers with `JSONNumberParser`. Strict means: one value with
/// optional whitespace around it and nothing else, UTF-8 only, no comments, no NaN or Infinity, no
/// leading zeros, no duplicate object keys, at most `maxDepth` nested arrays/objects.
public struct JSONReader {
    public static let defaultMaxDepth = 64

    /// Looks at each key of the top-level object as soon as it is read, with the keys before it:
    /// a message refuses it (`JSONParseError.Kind.rejectedKey`) before its value is parsed, so an
    /// unknown field holding 64 MiB of nested arrays costs a scan, not a tree.
    public typealias TopLevelKeyCheck = (_ key: String, _ earlierMembers: [(key: String, value: JSONValue)]) -> String?

    /// Asked for more bytes as the tree grows; false stops the parse (`.overMemory`). The reader
    /// counts what its tree can take at most: a 24-byte `JSONValue` slot in an array that may
    /// have doubled past its size, plus the 8-byte double and row copy a matrix later makes of
    /// a number (64 per value), a heap block per array or object (96), a string's bytes. So a
    /// body of `[0],` repeated (the worst case, about 40x its bytes) is stopped as it grows,
    /// not after, and no body is scanned twice.
    public typealias MemoryAllowance = (_ moreBytes: Int) -> Bool
    /// Bytes asked for at least at a time: one call per megabyte of tree, not per value.
    static let allowanceStep = 1 << 20
    static let bytesPerValue = 64
    static let bytesPerContainer = 96
    /// Objects with fewer keys than this find a duplicate by comparing with each earlier key.
    static let keysComparedOneByOne = 16

    /// `packsNumbers`: a non-empty array of numbers only is read as `.numbers` (one allocation of
    /// doubles) rather than an `.array` of `.number`s; equal values, and the same errors.
    public static func parse(
        _ bytes: [UInt8], maxDepth: Int = defaultMaxDepth,
        topLevelKeyCheck: TopLevelKeyCheck? = nil,
        memory: MemoryAllowance? = nil, packsNumbers: Bool = false
    ) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(
                buffer: buffer, maxDepth: maxDepth, topLevelKeyCheck: topLevelKeyCheck, memory: memory, packsNumbers: packsNumbers)
            return Result { () throws(JSONParseError) in try reader.parseDocument() }
        }
        return try result.get()
    }

    public static func parse(
        _ bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth,
        topLevelKeyCheck: TopLevelKeyCheck? = nil,
        memory: MemoryAllowance? = nil, packsNumbers: Bool = false
    ) throws(JSONParseError) -> JSONValue {
        var reader = JSONReader(
            buffer: bytes.assumingMemoryBound(to: UInt8.self), maxDepth: maxDepth,
            topLevelKeyCheck: topLevelKeyCheck, memory: memory, packsNumbers: packsNumbers)
        return try reader.parseDocument()
    }

    public static func parse(_ bytes: ArraySlice<UInt8>, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(buffer: buffer, maxDepth: maxDepth)
            return Result { () throws(JSONParseError) in try reader.parseDocument() }
        }
        return try result.get()
    }

    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    let bytes: UnsafeBufferPointer<UInt8>
    private let maxDepth: Int
    private let topLevelKeyCheck: TopLevelKeyCheck?
    private let memory: MemoryAllowance?
    /// Bytes the tree may take so far (see `MemoryAllowance`), and what the allowance granted.
    private var used = 0
    private var granted = 0
    var index = 0
    private var depth = 0
    /// The elements of the arrays being read, the innermost array's last: each array collects its
    /// elements here and is moved out once, at its final size, instead of growing (one
    /// reallocation and copy per doubling; most arrays of a body are short matrix rows).
    private let pending = PendingElements()
    /// Whether an array of numbers only is read as `.numbers`.
    private let packsNumbers: Bool
    /// The numbers of the packed array or matrix being read (one at a time: packing stops at any
    /// other element).
    private let numbers = PendingNumbers()
    /// The row length of the rows `readRows` leaves on `numbers` when it stops short.
    private var rowColumns = 0

    private init(
        buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int, topLevelKeyCheck: TopLevelKeyCheck? = nil,
        memory: MemoryAllowance? = nil, packsNumbers: Bool = false
    ) {
        self.bytes = buffer
        self.maxDepth = maxDepth
        self.topLevelKeyCheck = topLevelKeyCheck
        self.memory = memory
        self.packsNumbers = packsNumbers
        if memory == nil { granted = Int.max }
    }

    /// Counts `count` more bytes of tree; asks the allowance when past what it granted.
    @inline(__always)
    private mutating func account(_ count: Int) throws(JSONParseError) {
        used &+= count
        if used > granted { try askForMore() }
    }

    private mutating func askForMore() throws(JSONParseError) {
        let more = max(Self.allowanceStep, used - granted, granted / 2)
        guard let memory, memory(more) else {
            throw JSONParseError(.overMemory, offset: index, message: "the parsed body would need more than \(used) bytes of memory")
        }
        granted += more
    }

    private mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        // RFC 8259 §8.1 forbids sending a byte order mark (a parser may ignore one; this one is
        // strict, like Python's json). Windows editors and PowerShell write one: say so plainly.
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
            throw JSONParseError(
                .syntax, offset: 0,
                message:
                    "the body starts with a UTF-8 byte order mark (EF BB BF), which JSON does not allow (RFC 8259 §8.1); save the file as UTF-8 without BOM"
            )
        }
        skipWhitespace()
        if index == bytes.count {
            throw JSONParseError(
                .syntax, offset: 0, message: bytes.isEmpty ? "empty body; expected a JSON object" : "only whitespace; expected a JSON value"
            )
        }
        let value = try parseValue()
        skipWhitespace()
        if index < bytes.count {
            throw JSONParseError(
                .syntax, offset: index, message: "unexpected \(describe(bytes[index])) after the JSON value ended (trailing garbage)")
        }
        return value
    }

    // RFC 8259 §2: insignificant whitespace is space, tab, line feed, carriage return.
    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw unexpectedEnd("a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""):
            let string = try parseString()
            try account(string.utf8.count)
            return .string(string)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "N"), UInt8(ascii: "I"): throw nonFiniteLiteral()
        default: throw JSONParseError(.syntax, offset: index, message: "unexpected \(describe(bytes[index])); expected a JSON value")
        }
    }

    private mutating func enterContainer() throws(JSONParseError) {
        try account(Self.bytesPerContainer)
        depth += 1
        if depth > maxDepth {
            throw JSONParseError(.tooDeep, offset: index, message: "nested deeper than \(maxDepth) arrays/objects")
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        index += 1
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(JSONObject(members))
        }
        // Duplicates: an object of a request body has a handful of keys, and comparing a key with
        // the earlier ones costs less than hashing them all; a large object hashes them.
        var seen = Set<String>()
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw unexpectedEnd("a string key") }
            guard bytes[index] == UInt8(ascii: "\"") else {
                throw JSONParseError(
                    .syntax, offset: index, message: "unexpected \(describe(bytes[index])); expected a string key in double quotes")
            }
            let keyOffset = index
            let key = try parseString()
            if members.count < Self.keysComparedOneByOne {
                if members.contains(where: { $0.key == key }) {
                    throw JSONParseError(.syntax, offset: keyOffset, message: "duplicate key \"\(key)\"")
                }
            } else {
                if seen.isEmpty { seen = Set(members.lazy.map(\.key)) }
                if !seen.insert(key).inserted {
                    throw JSONParseError(.syntax, offset: keyOffset, message: "duplicate key \"\(key)\"")
                }
            }
            if depth == 1, let check = topLevelKeyCheck, let refusal = check(key, members) {
                throw JSONParseError(.rejectedKey, offset: keyOffset, message: refusal, path: key)
            }
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':' after an object key")
            skipWhitespace()
            try account(Self.bytesPerValue &+ key.utf8.count)
            do throws(JSONParseError) { members.append((key, try parseValue())) } catch { throw error.inside(key: key) }
            if try !anotherFollows(closer: "}", in: "an object") { break }
        }
        depth -= 1
        return .object(JSONObject(members))
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array([])
        }
        let first = pending.count
        if packsNumbers, index < bytes.count, isNumberStart(bytes[index]) {
            if try readNumbers() {
                depth -= 1
                return .numbers(numbers.take())
            }
            // An element that is not a number follows: the numbers before it join the stack as values.
            numbers.spill(into: pending)
        } else if packsNumbers, index < bytes.count, bytes[index] == UInt8(ascii: "[") {
            if let columns = try readRows() {
                depth -= 1
                return .matrix(JSONMatrix(columns: columns, values: numbers.take()))
            }
            // An element that is not a row like the first follows: the rows before it join the
            // stack as packed rows, and it is read from its start as any element is.
            numbers.spillRows(of: rowColumns, into: pending)
        }
        while true {
            skipWhitespace()
            try account(Self.bytesPerValue)
            // Its place, taken before it is read: a failing nested array leaves its elements on the stack.
            let position = pending.count - first
            do throws(JSONParseError) {
                let element = try parseValue()
                pending.append(element)
            } catch { throw error.inside(index: position) }
            if try !anotherFollows(closer: "]", in: "an array") { break }
        }
        depth -= 1
        return .array(pending.take(from: first))
    }

    /// Reads an array's numbers onto `numbers` (accounted as any value is, so a packed array is
    /// still refused as it grows) while numbers follow: true at the closing `]`, false at the
    /// start of an element that is not a number, which `parseArray` then reads as it reads any.
    private mutating func readNumbers() throws(JSONParseError) -> Bool {
        numbers.removeAll()
        while true {
            try account(Self.bytesPerValue)
            let number: Double
            do throws(JSONParseError) { number = try parseNumber() } catch { throw error.inside(index: numbers.count) }
            numbers.append(number)
            if try !anotherFollows(closer: "]", in: "an array") { return true }
            skipWhitespace()
            guard index < bytes.count, isNumberStart(bytes[index]) else { return false }
        }
    }

    /// Reads an array's rows onto `numbers` while each is a list of numbers as long as the first
    /// (accounted, checked for depth and worded in errors exactly as `parseArray` does each row,
    /// so a packed matrix is refused where and as its rows would be): the column count at the
    /// closing `]`. Otherwise nil, with the reader back at the start of the element that is not
    /// such a row and the bytes counted since then uncounted (the allowance already asked for
    /// them is kept, so reading the element again asks for nothing twice); what is left on
    /// `numbers` is the complete rows before it, `rowColumns` numbers each.
    private mutating func readRows() throws(JSONParseError) -> Int? {
        numbers.removeAll()
        var rows = 0
        var columns = 0
        while true {
            let rowStart = index
            let usedAtRowStart = used
            guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { return nil }
            try account(Self.bytesPerValue)
            try enterContainer()
            index += 1
            skipWhitespace()
            let rowFirst = numbers.count
            var isRow = index < bytes.count && isNumberStart(bytes[index])
            while isRow {
                try account(Self.bytesPerValue)
                let number: Double
                do throws(JSONParseError) { number = try parseNumber() } catch {
                    throw error.inside(index: numbers.count &- rowFirst).inside(index: rows)
                }
                numbers.append(number)
                if try !anotherFollows(closer: "]", in: "an array") { break }
                skipWhitespace()
                isRow = index < bytes.count && isNumberStart(bytes[index])
            }
            depth -= 1
            let count = numbers.count &- rowFirst
            if rows == 0 { columns = count }
            guard isRow, count == columns else {
                index = rowStart
                used = usedAtRowStart
                numbers.removeLast(count)
                return nil
            }
            rows &+= 1
            rowColumns = columns
            if try !anotherFollows(closer: "]", in: "an array") { return columns }
            skipWhitespace()
        }
    }

    @inline(__always)
    private func isNumberStart(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "-") || isDigit(byte) }

    /// After a member or element: consumes the `,` before another one (true) or the `closer`
    /// that ends the container (false); anything else is a syntax error. Inlined, with the error
    /// worded out of line: this runs once per element of every array (a 251 KB body has 17k).
    @inline(__always)
    private mutating func anotherFollows(closer: Unicode.Scalar, in container: StaticString) throws(JSONParseError) -> Bool {
        skipWhitespace()
        if index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: closer) {
                index += 1
                return byte == UInt8(ascii: ",")
            }
        }
        throw separatorError(closer: closer, in: container)
    }

    @inline(never)
    private func separatorError(closer: Unicode.Scalar, in container: StaticString) -> JSONParseError {
        guard index < bytes.count else { return unexpectedEnd("',' or '\(closer)'") }
        return JSONParseError(
            .syntax, offset: index, message: "unexpected \(describe(bytes[index])); expected ',' or '\(closer)' in \(container)")
    }

    // RFC 8259 §6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
    private mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = index
        var decimal = JSONNumberParser.Decimal(negative: false, significand: 0, exponent10: 0, truncated: false)
        var digitCount = 0
        if bytes[index] == UInt8(ascii: "-") {
            decimal.negative = true
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "I") { throw nonFiniteLiteral(from: start) }
        }
        guard index < bytes.count, isDigit(bytes[index]) else {
            throw JSONParseError(.syntax, offset: index, message: "expected a digit after '-'")
        }
        // The digit loops run on a local index with wrapping arithmetic: they are the hot path of
        // a body that is mostly numbers, and storing `index` back on every digit costs a third.
        let end = bytes.count
        var i = index
        if bytes[i] == UInt8(ascii: "0") {
            i &+= 1
            if i < end, isDigit(bytes[i]) {
                throw JSONParseError(.syntax, offset: start, message: "numbers must not have leading zeros")
            }
        } else {
            while i < end, isDigit(bytes[i]) {
                let digit = UInt64(bytes[i] &- 0x30)
                if digitCount < 19 {
                    decimal.significand = decimal.significand &* 10 &+ digit
                    digitCount &+= 1
                } else {
                    decimal.exponent10 &+= 1
                    if digit != 0 { decimal.truncated = true }
                }
                i &+= 1
            }
        }
        if i < end, bytes[i] == UInt8(ascii: ".") {
            i &+= 1
            guard i < end, isDigit(bytes[i]) else {
                throw JSONParseError(.syntax, offset: i, message: "expected a digit after the decimal point")
            }
            // Leading zeros of the fraction only scale (0.001 is 1e-3).
            if decimal.significand == 0 {
                while i < end, bytes[i] == UInt8(ascii: "0") {
                    decimal.exponent10 &-= 1
                    i &+= 1
                }
            }
            var significand = decimal.significand
            var fractionDigits = 0
            let budget = 19 &- digitCount
            // Eight digits at a time while eight more fit (numpy writes 16 or 17 significant digits).
            #if _endian(little)
            while budget &- fractionDigits >= 8, end &- i >= 8 {
                let word = UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self)
                guard Self.isEightDigits(word) else { break }
                significand = significand &* 100_000_000 &+ Self.eightDigitsValue(word)
                fractionDigits &+= 8
                i &+= 8
            }
            #endif
            while i < end, isDigit(bytes[i]), fractionDigits < budget {
                significand = significand &* 10 &+ UInt64(bytes[i] &- 0x30)
                fractionDigits &+= 1
                i &+= 1
            }
            decimal.significand = significand
            decimal.exponent10 &-= fractionDigits
            digitCount &+= fractionDigits
            while i < end, isDigit(bytes[i]) {
                if bytes[i] != UInt8(ascii: "0") { decimal.truncated = true }
                i &+= 1
            }
        }
        index = i
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw JSONParseError(.syntax, offset: index, message: "expected a digit in the exponent")
            }
            var exponent = 0
            while index < bytes.count, isDigit(bytes[index]) {
                // Read exactly: the digits before it can shift the value by as many places as
                // the body has bytes (0.000...1e1000050 is 1e49), so no exponent a body could
                // balance is clamped. Beyond 2^50 (more than any body's length) the value is 0
                // or out of range whatever the digits, and the sum cannot overflow.
                if exponent < 1 << 50 { exponent = exponent * 10 + Int(bytes[index] &- 0x30) }
                index += 1
            }
            decimal.exponent10 += exponentNegative ? -exponent : exponent
        }
        let token = UnsafeBufferPointer(rebasing: bytes[start..<index])
        let value = JSONNumberParser.value(of: decimal, token: token)
        guard value.isFinite else {
            throw JSONParseError(
                .numberOutOfRange, offset: start,
                message: "number \(String(decoding: token.prefix(40), as: UTF8.self)) is out of range for a 64-bit float")
        }
        return value
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let start = index
        let count = literal.utf8CodeUnitCount
        let matches =
            index + count <= bytes.count
            && (0..<count).allSatisfy { bytes[start + $0] == literal.utf8Start[$0] }
        guard matches else {
            throw JSONParseError(.syntax, offset: start, message: "invalid literal; expected \(literal)")
        }
        index += count
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(JSONParseError) {
        guard index < bytes.count else { throw unexpectedEnd(what) }
        guard bytes[index] == byte else {
            throw JSONParseError(.syntax, offset: index, message: "unexpected \(describe(bytes[index])); expected \(what)")
        }
        index += 1
    }

    private func nonFiniteLiteral(from start: Int? = nil) -> JSONParseError {
        let offset = start ?? index
        let rest = bytes[offset..<min(bytes.count, offset + 9)]
        let word = String(decoding: rest.prefix { $0 == UInt8(ascii: "-") || ($0 | 0x20) &- 0x61 < 26 }, as: UTF8.self)
        return JSONParseError(
            .syntax, offset: offset,
            message:
                "\(word.isEmpty ? "NaN/Infinity" : word) is not valid JSON (RFC 8259 has no NaN or Infinity); "
                + "Python's json.dumps writes NaN, Infinity and -Infinity by default: pass allow_nan=False to catch them before sending")
    }

    func unexpectedEnd(_ expected: String) -> JSONParseError {
        JSONParseError(.syntax, offset: index, message: "unexpected end of input; expected \(expected)")
    }

    func unterminatedString(_ start: Int) -> JSONParseError {
        JSONParseError(.syntax, offset: start, message: "unterminated string")
    }

    func controlCharacter() -> JSONParseError {
        JSONParseError(.syntax, offset: index, message: "unescaped control character \(describe(bytes[index])) in a string")
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    /// Whether the eight bytes of `word` (little-endian: the first byte lowest) are all ASCII
    /// digits: each byte's high nibble is 3, and adding 6 to it does not carry into the high nibble.
    @inline(__always)
    static func isEightDigits(_ word: UInt64) -> Bool {
        (word & 0xF0F0_F0F0_F0F0_F0F0) | (((word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4)
            == 0x3333_3333_3333_3333
    }

    /// The number the eight ASCII digits of `word` spell, the first byte the most significant
    /// (pairs, then fours, then all eight combined by multiplication).
    @inline(__always)
    static func eightDigitsValue(_ word: UInt64) -> UInt64 {
        var value = word &- 0x3030_3030_3030_3030
        value = value &* 10 &+ (value >> 8)
        let mask: UInt64 = 0x0000_00FF_0000_00FF
        let mul1: UInt64 = 100 + (1_000_000 << 32)
        let mul2: UInt64 = 1 + (10_000 << 32)
        value = ((value & mask) &* mul1 &+ ((value >> 16) & mask) &* mul2) >> 32
        return value & 0xFFFF_FFFF
    }

    func describe(_ byte: UInt8, quoted: Bool = true) -> String {
        if (0x21...0x7E).contains(byte) {
            let char = String(UnicodeScalar(byte))
            return quoted ? "'\(char)'" : char
        }
        return "byte 0x" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// The stack `JSONReader` reads arrays' elements onto. Elements are moved, not copied: an array
/// is taken off with one `memcpy` into its final storage (a copy of the values, then freeing the
/// stack's, costs a retain and a release each and made a 251 KB body 5% slower).
private final class PendingElements {
    private var base: UnsafeMutablePointer<JSONValue>
    private var capacity = 64
    private(set) var count = 0

    init() {
        base = .allocate(capacity: capacity)
    }

    deinit {
        base.deinitialize(count: count)  // what a failed parse left
        base.deallocate()
    }

    func append(_ value: JSONValue) {
        if count == capacity {
            let larger = UnsafeMutablePointer<JSONValue>.allocate(capacity: 2 * capacity)
            larger.moveInitialize(from: base, count: count)
            base.deallocate()
            base = larger
            capacity *= 2
        }
        (base + count).initialize(to: value)
        count += 1
    }

    /// The elements from `first` on, moved into an array of their number.
    ///
    /// Allocated by `reserveCapacity`, not `Array(unsafeUninitializedCapacity:)`: that one
    /// allocates through a generic entry point of the standard library that looks up the
    /// storage class's metadata at run time, about 700 instructions an array (more than a
    /// matrix row's whole parse); `reserveCapacity` is specialized here, with the type known.
    func take(from first: Int) -> [JSONValue] {
        let taken = count - first
        guard taken > 0 else { return [] }
        var elements: [JSONValue] = []
        elements.reserveCapacity(taken)
        for i in first..<count { elements.append((base + i).move()) }
        count = first
        return elements
    }
}

/// The stack `JSONReader` reads a packed array's numbers onto, taken off at its final size.
private final class PendingNumbers {
    private var base: UnsafeMutablePointer<Double>
    private var capacity = 64
    private(set) var count = 0

    init() {
        base = .allocate(capacity: capacity)
    }

    deinit {
        base.deallocate()
    }

    func removeAll() { count = 0 }

    @inline(__always)
    func append(_ value: Double) {
        if count == capacity { grow() }
        (base + count).initialize(to: value)
        count &+= 1
    }

    private func grow() {
        let larger = UnsafeMutablePointer<Double>.allocate(capacity: 2 * capacity)
        larger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = larger
        capacity *= 2
    }

    /// The numbers, in an array of their number (allocated as `PendingElements.take` says).
    func take() -> [Double] {
        var numbers: [Double] = []
        numbers.reserveCapacity(count)
        numbers.append(contentsOf: UnsafeBufferPointer(start: base, count: count))
        count = 0
        return numbers
    }

    /// The numbers, pushed on `elements` as `.number` values.
    func spill(into elements: PendingElements) {
        for i in 0..<count { elements.append(.number(base[i])) }
        count = 0
    }

    /// The numbers, pushed on `elements` as packed rows of `columns` numbers each.
    func spillRows(of columns: Int, into elements: PendingElements) {
        precondition(count == 0 || (columns > 0 && count % columns == 0), "packed rows are whole rows")
        var start = 0
        while start < count {
            elements.append(.numbers(Array(UnsafeBufferPointer(start: base + start, count: columns))))
            start += columns
        }
        count = 0
    }

    func removeLast(_ k: Int) { count -= k }
}
