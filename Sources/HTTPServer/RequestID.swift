import Synchronization

/// The `X-Request-Id` of an exchange: the client's when it is sane, so a caller can follow its own
/// id through the access log; otherwise a fresh random one. Only a short token of safe characters
/// is echoed back, so a client cannot inject text into headers, logs or JSON.
enum RequestID {
    static let headerName = "X-Request-Id"
    static let maxLength = 128

    /// The client's id if it is 1-128 characters of [A-Za-z0-9._:-], else a generated one.
    static func choose(clientSent value: String?) -> String {
        if let value, isSane(value) { return value }
        return generate()
    }

    static func isSane(_ value: String) -> Bool {
        let bytes = value.utf8
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: ":"), UInt8(ascii: "-"):
                true
            default: false
            }
        }
    }

    /// 32 lowercase hex digits: 64 random bits drawn once per process, then a 64-bit counter.
    /// Unique within the process and across restarts (the random half), and cheap: two
    /// getrandom(2) calls per request cost a measurable share of an inline /healthz. Written
    /// straight into the new string's storage: one allocation per id.
    static func generate() -> String {
        let sequence = counter.add(1, ordering: .relaxed).newValue
        let random = prefix
        return String(unsafeUninitializedCapacity: 32) { buffer in
            writeHex(random, into: buffer, at: 0)
            writeHex(sequence, into: buffer, at: 16)
            return 32
        }
    }

    private static let prefix: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }()

    private static let counter = Atomic<UInt64>(0)

    /// `value` as 16 lowercase hex digits at `offset`.
    private static func writeHex(_ value: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        var word = value
        for index in stride(from: offset + 15, through: offset, by: -1) {
            let digit = UInt8(truncatingIfNeeded: word & 0xF)
            buffer[index] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
            word >>= 4
        }
    }
}
