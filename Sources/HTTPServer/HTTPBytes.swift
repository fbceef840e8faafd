#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte classes from RFC 9110 §5.6.2 and §5.5.
enum HTTPBytes {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A

    /// The bytes `isTokenByte` accepts, spelled out (the bit masks below are made from them).
    static let tokenBytes = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

    /// tchar: "!#$%&'*+-.^_`|~" / DIGIT / ALPHA. One bit per byte below 128, in two constants: no
    /// table behind a lazy global to load for every byte of every method and field name. A test
    /// holds the masks to `tokenBytes`.
    @inline(__always)
    static func isTokenByte(_ byte: UInt8) -> Bool {
        let mask: UInt64 = byte < 64 ? 0x03FF_6CFA_0000_0000 : 0x57FF_FFFF_C7FF_FFFE
        return byte < 128 && (mask >> (byte & 63)) & 1 == 1
    }

    /// field-vchar / SP / HTAB, with obs-text (0x80-0xFF) allowed; every other control is refused.
    @inline(__always)
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == tab || (byte >= 0x20 && byte != 0x7F)
    }

    /// Whether `bytes` begin with `prefix`, case and all. A `StaticString`'s bytes are a constant
    /// in the binary: walking a `String`'s UTF8View instead costs hundreds of instructions.
    static func starts(_ bytes: UnsafeBufferPointer<UInt8>, with prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        let expected = prefix.utf8Start
        for index in 0..<count where bytes[index] != expected[index] { return false }
        return true
    }

    /// Whether `bytes` are exactly `text`.
    static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
        bytes.count == text.utf8CodeUnitCount && starts(bytes, with: text)
    }

    /// Whether `bytes` are `lowercase` in any ASCII case: what `HTTPHeaders.namesMatch` decides
    /// for two names, here against a constant already in lowercase.
    static func equalIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
        let count = lowercase.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        let expected = lowercase.utf8Start
        for index in 0..<count where lowercasedASCII(bytes[index]) != expected[index] { return false }
        return true
    }

    @inline(__always)
    static func lowercasedASCII(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }

    /// Index of the next LF at or after `from`, looking at no more than `limit` bytes.
    static func findLF(_ bytes: [UInt8], from: Int, limit: Int) -> Int? {
        bytes.withUnsafeBufferPointer { findLF($0, from: from, limit: limit) }
    }

    static func findLF(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, limit: Int) -> Int? {
        let end = min(bytes.count, from + limit)
        guard let base = bytes.baseAddress, from < end else { return nil }
        // libc's memchr looks at a word or a vector of bytes at a time, not one byte per step.
        guard let found = memchr(base + from, Int32(lf), end - from) else { return nil }
        return UnsafeRawPointer(base).distance(to: found)
    }
}

extension String {
    /// Runs `body` on the UTF-8 bytes of the string: stored ones for a native string (all a
    /// parser makes), a copy for a bridged one.
    func withUTF8Bytes<Value>(_ body: (UnsafeBufferPointer<UInt8>) -> Value) -> Value {
        var text = self
        return text.withUTF8(body)
    }
}
