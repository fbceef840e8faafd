/// Text appended to a byte buffer (a response head, an access-log line) on the fast path: every
/// response and log line is built from a dozen such pieces, and the generic
/// `append(contentsOf: text.utf8)` walks a `String.UTF8View` element by element (measured at
/// about a hundred instructions a call), where these copy the stored bytes at once.
extension Array where Element == UInt8 {
    /// A constant's bytes: a literal's UTF-8 is laid out at compile time.
    @inlinable
    public mutating func append(ascii text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// A string's UTF-8 bytes, copied from its storage (native and small strings have it; a
    /// bridged one is walked instead).
    @inlinable
    public mutating func append(utf8 text: String) {
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { append(contentsOf: $0) }
        if copied == nil { append(contentsOf: text.utf8) }
    }

    /// `value` in decimal ASCII digits (see `ByteStage.append(decimal:)`).
    public mutating func append(decimal value: Int) {
        appendStaged { $0.append(decimal: value) }
    }
}
