/// Which bytes a response header line may carry: anything but CR, LF and NUL, the bytes that
/// would end the field (or the head) early and let a handler's header inject another one.
enum HeaderText {
    /// True when `text` holds no CR, LF or NUL: checked in its stored bytes (native and small
    /// strings have them), else walked.
    static func isSafe(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { isSafe($0) } ?? !text.utf8.contains(where: isForbidden)
    }

    /// True when `bytes` holds no CR, LF or NUL. Eight bytes at a time: every answer's header
    /// fields pass through here, and the bytes that matter are rare, so a word is first checked
    /// for any byte below 0x0E at all (none in ordinary text but a tab).
    static func isSafe(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var index = 0
        while index + 8 <= bytes.count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            if hasByteBelowCR(word) {
                for offset in index..<index + 8 where isForbidden(bytes[offset]) { return false }
            }
            index += 8
        }
        for offset in index..<bytes.count where isForbidden(bytes[offset]) { return false }
        return true
    }

    @inline(__always)
    static func isForbidden(_ byte: UInt8) -> Bool {
        byte == 0x0D || byte == 0x0A || byte == 0
    }

    /// Whether any byte of `word` is below 0x0E (CR + 1), exactly: the "has less" test of
    /// Bit Twiddling Hacks, valid for a bound up to 128.
    @inline(__always)
    private static func hasByteBelowCR(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        return (word &- ones &* 0x0E) & ~word & highBits != 0
    }
}
