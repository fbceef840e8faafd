import Synchronization

/// The `X-Request-Id` of an exchange: the client's when it is sane, so a caller can follow its own
/// id through the access log; otherwise a fresh random one. Only a short token of safe characters
/// is echoed back, so a client cannot inject text into headers, logs or JSON.
///
/// A generated id is kept as its counter and written as digits where it is needed (the answer's
/// head, the access line): most answers never make a `String` of it, which cost an allocation
/// and its release per request.
struct RequestID: Sendable, Equatable {
    static let headerName = "X-Request-Id"
    static let maxLength = 128

    private enum Value: Equatable {
        case text(String)
        case generated(sequence: UInt64)
    }

    private let value: Value

    /// An id as it is spelled (a client's, or one already made text).
    init(text: String) {
        value = .text(text)
    }

    private init(sequence: UInt64) {
        value = .generated(sequence: sequence)
    }

    /// The client's id if it is 1-128 characters of [A-Za-z0-9._:-], else a generated one.
    static func choose(clientSent value: String?) -> RequestID {
        if let value, isSane(value) { return RequestID(text: value) }
        return next()
    }

    /// A fresh id (see `generate`).
    static func next() -> RequestID {
        RequestID(sequence: counter.add(1, ordering: .relaxed).newValue)
    }

    /// The id's text.
    var text: String {
        switch value {
        case .text(let text): text
        case .generated(let sequence):
            String(unsafeUninitializedCapacity: 32) { buffer in
                Self.writeDigits(sequence, to: UnsafeMutableRawBufferPointer(buffer))
                return 32
            }
        }
    }

    /// Whether it is safe to echo in a header line: a generated one always is.
    var isHeaderSafe: Bool {
        switch value {
        case .text(let text): !text.isEmpty && HeaderText.isSafe(text)
        case .generated: true
        }
    }

    /// Appends the id's text.
    func append(to bytes: inout ByteStage) {
        switch value {
        case .text(let text): bytes.append(utf8: text)
        case .generated(let sequence):
            var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            withUnsafeMutableBytes(of: &digits) { Self.writeDigits(sequence, to: $0) }
            withUnsafeBytes(of: &digits) { bytes.append(bytes: $0.bindMemory(to: UInt8.self)) }
        }
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
    /// getrandom(2) calls per request cost a measurable share of an inline /healthz.
    static func generate() -> String {
        next().text
    }

    /// The 32 digits of the id with counter value `sequence` into the first 32 bytes of `buffer`.
    private static func writeDigits(_ sequence: UInt64, to buffer: UnsafeMutableRawBufferPointer) {
        let random = prefixDigits
        let counted = hexDigits(sequence)
        buffer.storeBytes(of: random.high, toByteOffset: 0, as: UInt64.self)
        buffer.storeBytes(of: random.low, toByteOffset: 8, as: UInt64.self)
        buffer.storeBytes(of: counted.high, toByteOffset: 16, as: UInt64.self)
        buffer.storeBytes(of: counted.low, toByteOffset: 24, as: UInt64.self)
    }

    /// The random half's digits, written once.
    private static let prefixDigits: (high: UInt64, low: UInt64) = {
        var generator = SystemRandomNumberGenerator()
        return hexDigits(generator.next())
    }()

    private static let counter = Atomic<UInt64>(0)

    /// `value` as 16 lowercase hex digits, as the bytes of two words in memory order (the first
    /// eight digits, then the last eight): computed eight digits at a time in a 64-bit register
    /// rather than one digit per loop turn, since every request without an id of its own needs one.
    static func hexDigits(_ value: UInt64) -> (high: UInt64, low: UInt64) {
        (digitWord(UInt32(truncatingIfNeeded: value >> 32)), digitWord(UInt32(truncatingIfNeeded: value)))
    }

    /// The eight hex digits of `value`, most significant first in memory.
    private static func digitWord(_ value: UInt32) -> UInt64 {
        // Spread the nibbles one to a byte: nibble i (from the least significant) in byte i.
        var nibbles = UInt64(value)
        nibbles = (nibbles | nibbles << 16) & 0x0000_FFFF_0000_FFFF
        nibbles = (nibbles | nibbles << 8) & 0x00FF_00FF_00FF_00FF
        nibbles = (nibbles | nibbles << 4) & 0x0F0F_0F0F_0F0F_0F0F
        // 0x01 in each byte whose nibble is 10 or more: those become 'a'-'f', the rest '0'-'9'.
        let letters = ((nibbles &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101
        let ascii = nibbles &+ 0x3030_3030_3030_3030 &+ letters &* UInt64(UInt8(ascii: "a") - UInt8(ascii: "0") - 10)
        // Byte 7 holds the most significant digit: it goes first.
        return ascii.bigEndian
    }
}
