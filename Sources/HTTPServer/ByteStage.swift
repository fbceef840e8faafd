/// Many small pieces (a response head, an access-log line) gathered in a buffer on the stack and
/// appended to their array in one `append(contentsOf:)`: that call costs about seventy
/// instructions of bookkeeping however few its bytes, and a head or a line is a dozen or two
/// pieces. A piece that does not fit sends what is gathered on first; the array's bytes come
/// out in the order written either way.
///
///     bytes.appendStaged { line in
///         line.append(ascii: "GET ")
///         line.append(decimal: 200)
///     }
public struct ByteStage: ~Copyable {
    @usableFromInline let scratch: UnsafeMutableBufferPointer<UInt8>
    @usableFromInline var used = 0
    /// The array being appended to: valid for the duration of `appendStaged` only.
    @usableFromInline let target: UnsafeMutablePointer<[UInt8]>

    @usableFromInline
    init(scratch: UnsafeMutableBufferPointer<UInt8>, target: UnsafeMutablePointer<[UInt8]>) {
        self.scratch = scratch
        self.target = target
    }

    /// Bytes the stage can gather before it sends them on: a response head with the usual
    /// headers fits, and so does an access-log line.
    @inlinable static var capacity: Int { 512 }

    @inlinable @inline(__always)
    public mutating func append(_ byte: UInt8) {
        if used == scratch.count { flush() }
        scratch[used] = byte
        used &+= 1
    }

    @inlinable @inline(__always)
    public mutating func append(ascii text: StaticString) {
        text.withUTF8Buffer { append(bytes: $0) }
    }

    /// A string's UTF-8 bytes, copied from its storage (native and small strings have it; a
    /// bridged one is walked instead).
    @inlinable @inline(__always)
    public mutating func append(utf8 text: String) {
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { append(bytes: $0) }
        if copied == nil { for byte in text.utf8 { append(byte) } }
    }

    @inlinable
    public mutating func append(bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append(bytes: $0) }
    }

    /// Inlined, and a piece of up to 16 bytes (most of them) is moved in two words rather than
    /// by a call to memmove: the call alone costs more than the copy.
    @inlinable @inline(__always)
    public mutating func append(bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        let count = bytes.count
        guard count <= scratch.count &- used else {
            appendLarge(bytes)
            return
        }
        let destination = UnsafeMutableRawPointer(scratch.baseAddress.unsafelyUnwrapped + used)
        let from = UnsafeRawPointer(source)
        if count >= 8 && count <= 16 {
            // Two words that overlap when the piece is shorter than 16 bytes.
            let head = from.loadUnaligned(as: UInt64.self)
            let tail = from.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
            destination.storeBytes(of: head, as: UInt64.self)
            destination.storeBytes(of: tail, toByteOffset: count &- 8, as: UInt64.self)
        } else if count < 8 {
            for offset in 0..<count { destination.storeBytes(of: source[offset], toByteOffset: offset, as: UInt8.self) }
        } else {
            destination.copyMemory(from: from, byteCount: count)
        }
        used &+= count
    }

    /// A piece that does not fit in what is left: what is gathered goes first, then the piece
    /// is gathered, or appended straight to the array when it is bigger than the stage (a body).
    @usableFromInline
    mutating func appendLarge(_ bytes: UnsafeBufferPointer<UInt8>) {
        flush()
        if bytes.count > scratch.count {
            target.pointee.append(contentsOf: bytes)
        } else {
            append(bytes: bytes)
        }
    }

    /// `value` in decimal ASCII digits, a minus sign first when it is negative, without the
    /// `String(value)` a `description` would make.
    public mutating func append(decimal value: Int) {
        if value < 0 { append(UInt8(ascii: "-")) }
        var rest = value.magnitude
        // Most numbers written are statuses and short lengths: up to three digits directly.
        if rest < 1000 {
            if rest >= 100 { append(Self.digit(rest / 100)) }
            if rest >= 10 { append(Self.digit(rest / 10 % 10)) }
            append(Self.digit(rest % 10))
            return
        }
        // At most 20 digits (UInt64.max), written from the right into a tuple on the stack.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        Swift.withUnsafeMutableBytes(of: &digits) { raw in
            var start = raw.count
            while rest > 0 {
                let (quotient, digit) = rest.quotientAndRemainder(dividingBy: 10)
                start -= 1
                raw[start] = Self.digit(digit)
                rest = quotient
            }
            let written = raw.bindMemory(to: UInt8.self)
            append(bytes: UnsafeBufferPointer(rebasing: written[start...]))
        }
    }

    @inline(__always)
    private static func digit(_ value: UInt) -> UInt8 {
        UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value)
    }

    /// Sends what is gathered on to the array, then lets `write` append to the array itself
    /// (for a writer that takes an array, such as the JSON string escaper).
    @inlinable
    public mutating func appendDirectly(_ write: (inout [UInt8]) -> Void) {
        flush()
        write(&target.pointee)
    }

    @usableFromInline
    mutating func flush() {
        guard used > 0 else { return }
        target.pointee.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<used]))
        used = 0
    }
}

extension Array where Element == UInt8 {
    /// Appends what `build` writes to the stage (see `ByteStage`).
    @inlinable
    public mutating func appendStaged(_ build: (inout ByteStage) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: ByteStage.capacity) { scratch in
            Swift.withUnsafeMutablePointer(to: &self) { target in
                var stage = ByteStage(scratch: scratch, target: target)
                build(&stage)
                stage.flush()
            }
        }
    }
}
