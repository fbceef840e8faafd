/// Header fields in arrival order. Names keep their spelling; lookup ignores ASCII case
/// (RFC 9110 §5.1: field names are case-insensitive).
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field] = []

    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { add(name: name, value: value) }
    }

    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    mutating func add(_ field: Field) {
        fields.append(field)
    }

    /// A received field name, spelled as it came. The names most requests carry, in the spelling
    /// clients send, are string literals: no decoding and validating of their bytes each time.
    static func name(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        switch bytes.count {
        case 4 where HTTPBytes.equal(bytes, "Host"): "Host"
        case 6 where HTTPBytes.equal(bytes, "Accept"): "Accept"
        case 10 where HTTPBytes.equal(bytes, "User-Agent"): "User-Agent"
        case 10 where HTTPBytes.equal(bytes, "Connection"): "Connection"
        case 12 where HTTPBytes.equal(bytes, "Content-Type"): "Content-Type"
        case 14 where HTTPBytes.equal(bytes, "Content-Length"): "Content-Length"
        case 15 where HTTPBytes.equal(bytes, "Accept-Encoding"): "Accept-Encoding"
        default: String(decoding: bytes, as: UTF8.self)
        }
    }

    mutating func reserveCapacity(_ count: Int) {
        fields.reserveCapacity(count)
    }

    /// Replaces every field called `name` with one field.
    public mutating func set(name: String, value: String) {
        remove(name: name)
        add(name: name, value: value)
    }

    public mutating func remove(name: String) {
        fields.removeAll { Self.namesMatch($0.name, name) }
    }

    /// The first value of `name`, or nil.
    public subscript(name: String) -> String? {
        fields.first { Self.namesMatch($0.name, name) }?.value
    }

    /// Every value of `name`, in order (repeated fields stay separate).
    public func values(for name: String) -> [String] {
        fields.filter { Self.namesMatch($0.name, name) }.map(\.value)
    }

    /// Comma-separated list elements across every field called `name`, trimmed and lowercased
    /// (RFC 9110 §5.6.1), empty elements dropped. Lowercased in ASCII only: tokens are ASCII,
    /// and Unicode's lowercasing maps the Kelvin sign (U+212A) to "k", which let
    /// `Transfer-Encoding: chun\u{212A}ed` pass for chunked where a proxy in front sees an
    /// unknown coding: a request smuggled between the two.
    public func tokens(for name: String) -> [String] {
        values(for: name).flatMap { value in
            value.split(separator: ",").map { Self.asciiLowercased($0.trimmingOWS()) }.filter { !$0.isEmpty }
        }
    }

    static func asciiLowercased(_ text: String) -> String {
        String(decoding: text.utf8.map { $0 &- UInt8(ascii: "A") < 26 ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// Whether a list element of some field called `name` is `token`, given in lowercase: the
    /// answer of `tokens(for: name).contains(token)`, found on the bytes without building that
    /// list. A value with a non-ASCII byte takes `tokens(for:)` itself: grapheme breaks (a
    /// combining mark after a comma) can make its elements differ from a split on bytes, and the
    /// two answers must never differ.
    func contains(token: String, in name: String) -> Bool {
        let found = token.withUTF8Bytes { wanted -> Bool? in
            for field in fields where Self.namesMatch(field.name, name) {
                guard let inField = field.value.withUTF8Bytes({ Self.asciiList($0, contains: wanted) }) else { return nil }
                if inField { return true }
            }
            return false
        }
        return found ?? tokens(for: name).contains(token)
    }

    /// Whether one comma-separated element of `list`, trimmed of OWS, equals `token` (lowercase)
    /// ignoring ASCII case; nil when `list` is not all ASCII.
    private static func asciiList(_ list: UnsafeBufferPointer<UInt8>, contains token: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard list.allSatisfy({ $0 < 0x80 }) else { return nil }
        var start = 0
        for end in 0...list.count where end == list.count || list[end] == UInt8(ascii: ",") {
            var first = start
            var last = end
            start = end + 1
            while first < last && (list[first] == HTTPBytes.space || list[first] == HTTPBytes.tab) { first += 1 }
            while last > first && (list[last - 1] == HTTPBytes.space || list[last - 1] == HTTPBytes.tab) { last -= 1 }
            if last - first == token.count && (0..<token.count).allSatisfy({ HTTPBytes.lowercasedASCII(list[first + $0]) == token[$0] }) {
                return true
            }
        }
        return false
    }

    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// ASCII case-insensitive equality (field names are tokens, ASCII only), byte by byte: no
    /// lowercased copies, which cost two allocations per comparison on every lookup.
    static func namesMatch(_ a: String, _ b: String) -> Bool {
        let left = a.utf8
        let right = b.utf8
        guard left.count == right.count else { return false }
        // On the stored bytes when both have them (native strings do): iterating two UTF8Views
        // together costs several times more, and every header lookup and answer compares names.
        let stored = left.withContiguousStorageIfAvailable { x in
            right.withContiguousStorageIfAvailable { y in bytesMatch(x, y) }
        }
        if let stored, let matched = stored { return matched }
        for (x, y) in zip(left, right) where !bytesMatch(x, y) { return false }
        return true
    }

    @inline(__always)
    private static func bytesMatch(_ x: UInt8, _ y: UInt8) -> Bool {
        x == y || (x | 0x20 == y | 0x20 && (x | 0x20) &- UInt8(ascii: "a") < 26)
    }

    private static func bytesMatch(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        for index in 0..<x.count where !bytesMatch(x[index], y[index]) { return false }
        return true
    }
}

extension StringProtocol {
    /// Drops leading and trailing spaces and tabs (RFC 9110 §5.6.3 OWS).
    func trimmingOWS() -> String {
        let isOWS: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isOWS($0) }) else { return "" }
        let last = lastIndex(where: { !isOWS($0) })!
        return String(self[first...last])
    }
}
