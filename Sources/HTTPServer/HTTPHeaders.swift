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
    /// (RFC 9110 §5.6.1), empty elements dropped.
    public func tokens(for name: String) -> [String] {
        values(for: name).flatMap { value in
            value.split(separator: ",").map { $0.trimmingOWS().lowercased() }.filter { !$0.isEmpty }
        }
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
