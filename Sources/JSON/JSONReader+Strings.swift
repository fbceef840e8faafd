// RFC 8259 §7 strings: the part of JSONReader that reads them.
extension JSONReader {
    mutating func parseString() throws(JSONParseError) -> String {
        let start = index
        index += 1
        let contentStart = index
        // Fast path: no escapes, one validated copy. ASCII (every key of a request) needs no
        // validating: `String(validating:as:)` is not specialized and looks up its buffer type's
        // metadata at run time, about 900 instructions a string.
        var bits: UInt8 = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let content = UnsafeBufferPointer(rebasing: bytes[contentStart..<index])
                index += 1
                if bits < 0x80 { return String(decoding: content, as: UTF8.self) }
                guard let string = String(validating: content, as: UTF8.self) else {
                    throw JSONParseError(.syntax, offset: contentStart, message: "string is not valid UTF-8")
                }
                return string
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw controlCharacter() }
            bits |= byte
            index += 1
        }
        guard index < bytes.count else { throw unterminatedString(start) }
        var scratch = Array(UnsafeBufferPointer(rebasing: bytes[contentStart..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                guard let string = String(validating: scratch, as: UTF8.self) else {
                    throw JSONParseError(.syntax, offset: contentStart, message: "string is not valid UTF-8")
                }
                return string
            }
            if byte < 0x20 { throw controlCharacter() }
            if byte != UInt8(ascii: "\\") {
                scratch.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { throw unterminatedString(start) }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escape)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"): scratch.append(contentsOf: try parseUnicodeEscape())
            default:
                throw JSONParseError(.syntax, offset: index - 2, message: "invalid escape \\\(describe(escape, quoted: false))")
            }
        }
        throw unterminatedString(start)
    }

    /// After `\u`: four hex digits, or a UTF-16 surrogate pair `\uD8xx\uDCxx`; returns UTF-8.
    private mutating func parseUnicodeEscape() throws(JSONParseError) -> [UInt8] {
        let escapeStart = index - 2
        var scalar = try parseHex4()
        if (0xD800...0xDBFF).contains(scalar) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw JSONParseError(.syntax, offset: escapeStart, message: "unpaired UTF-16 surrogate in \\u escape")
            }
            index += 2
            let low = try parseHex4()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw JSONParseError(.syntax, offset: escapeStart, message: "unpaired UTF-16 surrogate in \\u escape")
            }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw JSONParseError(.syntax, offset: escapeStart, message: "unpaired UTF-16 surrogate in \\u escape")
        }
        return Array(String(Character(Unicode.Scalar(scalar)!)).utf8)
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw unexpectedEnd("four hex digits after \\u") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - 0x30)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - 0x61 + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - 0x41 + 10)
            default:
                throw JSONParseError(.syntax, offset: index, message: "unexpected \(describe(byte)); expected a hex digit in \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
