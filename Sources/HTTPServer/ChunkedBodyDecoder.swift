/// Resumable decoder for the chunked transfer coding (RFC 9112 §7.1). It remembers how far it
/// got, so each received byte is decoded once even when the body arrives in many reads.
struct ChunkedBodyDecoder: Sendable {
    /// Longest chunk-size line, extensions included; a longer one is an attack, not a chunk.
    static let maxChunkLineBytes = 4096

    private(set) var body: [UInt8] = []
    private var offset: Int
    /// Where the body's raw bytes start: sizes, extensions, data and trailers together count
    /// against `maxBodyBytes`, so 1-byte chunks with 4 KB extensions cannot grow a connection's
    /// buffer 4,000 times past the decoded body's limit.
    private let start: Int
    private var inTrailers = false
    private var trailerBytes = 0
    private var trailerCount = 0
    private let limits: HTTPServerConfiguration

    init(start: Int, limits: HTTPServerConfiguration) {
        offset = start
        self.start = start
        self.limits = limits
    }

    /// Returns the index just past the message when the body is complete, nil when more is needed.
    mutating func decode(_ bytes: [UInt8]) throws(HTTPError) -> Int? {
        while true {
            if offset - start > limits.maxBodyBytes { throw Self.tooLarge(limits) }
            if inTrailers {
                let budget = limits.maxHeaderBytes - trailerBytes + 2
                guard let lineEnd = HTTPBytes.findLF(bytes, from: offset, limit: max(budget, 0)) else {
                    if bytes.count - offset > budget { throw .headersTooLarge("chunked trailer section too large") }
                    return nil
                }
                guard lineEnd > offset, bytes[lineEnd - 1] == HTTPBytes.cr else { throw .badRequest("trailer line must end with CRLF") }
                if lineEnd - 1 == offset { return lineEnd + 1 }
                // Trailers are validated like headers and then dropped: nothing here needs them.
                _ = try HTTPHeadParser.fieldLine(bytes, from: offset, to: lineEnd - 1)
                trailerCount += 1
                trailerBytes += lineEnd + 1 - offset
                if trailerCount > limits.maxHeaderCount { throw .headersTooLarge("too many trailer fields") }
                offset = lineEnd + 1
                continue
            }
            guard let lineEnd = HTTPBytes.findLF(bytes, from: offset, limit: Self.maxChunkLineBytes) else {
                if bytes.count - offset >= Self.maxChunkLineBytes { throw .badRequest("chunk size line too long") }
                return nil
            }
            guard lineEnd > offset, bytes[lineEnd - 1] == HTTPBytes.cr else { throw .badRequest("chunk size line must end with CRLF") }
            let size = try Self.chunkSize(bytes, from: offset, to: lineEnd - 1)
            if size == 0 {
                inTrailers = true
                offset = lineEnd + 1
                continue
            }
            if size > limits.maxBodyBytes - body.count {
                throw .contentTooLarge("chunked body exceeds the limit of \(limits.maxBodyBytes) bytes")
            }
            let dataStart = lineEnd + 1
            if dataStart - start > limits.maxBodyBytes - size { throw Self.tooLarge(limits) }
            guard bytes.count - dataStart >= size + 2 else { return nil }
            guard bytes[dataStart + size] == HTTPBytes.cr, bytes[dataStart + size + 1] == HTTPBytes.lf else {
                throw .badRequest("chunk data not followed by CRLF")
            }
            body.append(contentsOf: bytes[dataStart..<(dataStart + size)])
            offset = dataStart + size + 2
        }
    }

    private static func tooLarge(_ limits: HTTPServerConfiguration) -> HTTPError {
        .contentTooLarge("chunked body (sizes, extensions and trailers included) exceeds the limit of \(limits.maxBodyBytes) bytes")
    }

    /// chunk-size = 1*HEXDIG, then optional `BWS ; ext` (accepted and ignored).
    static func chunkSize(_ bytes: [UInt8], from: Int, to end: Int) throws(HTTPError) -> Int {
        var index = from
        var size = 0
        while index < end, let digit = hexValue(bytes[index]) {
            let (times, overflow) = size.multipliedReportingOverflow(by: 16)
            if overflow { throw .badRequest("chunk size overflows") }
            size = times + digit
            index += 1
        }
        guard index > from else { throw .badRequest("missing or invalid chunk size") }
        while index < end && (bytes[index] == HTTPBytes.space || bytes[index] == HTTPBytes.tab) { index += 1 }
        guard index == end || bytes[index] == UInt8(ascii: ";") else { throw .badRequest("invalid chunk size") }
        for position in index..<end where !HTTPBytes.isFieldValueByte(bytes[position]) {
            throw .badRequest("control byte in chunk extension")
        }
        return size
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
