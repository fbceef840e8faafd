/// Result of feeding the bytes received so far to the parser.
public enum HTTPParseResult: Sendable, Equatable {
    /// More bytes are needed. `head` is set once the header section is complete (the caller may
    /// then answer `100 Continue`).
    case incomplete(head: HTTPRequestHead?)
    /// One complete request; the first `consumed` bytes of the buffer belong to it.
    case request(HTTPRequest, consumed: Int)
}

/// HTTP/1.1 request parser (RFC 9112): a value over bytes that never sees a socket.
///
/// Contract: pass the whole unconsumed buffer each time, grown only at its end, until a request
/// is returned (then drop `consumed` bytes) or an error is thrown (then close). The parser keeps the
/// parsed head and the chunked-decoding position between calls so a large body is decoded once,
/// not once per read; `reset()` forgets them.
public struct HTTPRequestParser: Sendable {
    let limits: HTTPServerConfiguration
    private var head: (head: HTTPRequestHead, length: Int)?
    private var chunked: ChunkedBodyDecoder?
    /// Bytes the head parser has already seen without finding a complete head. A head that
    /// arrives a byte at a time is parsed again only when a new line ends (an LF arrives) or
    /// the buffer is long enough for a length limit to apply, not once per byte.
    private var headBytesSeen = 0

    public init(limits: HTTPServerConfiguration = HTTPServerConfiguration()) {
        self.limits = limits
    }

    public mutating func reset() {
        head = nil
        chunked = nil
        headBytesSeen = 0
    }

    public mutating func parse(_ buffer: [UInt8]) throws(HTTPError) -> HTTPParseResult {
        do {
            return try parseOrThrow(buffer)
        } catch {
            reset()
            throw error
        }
    }

    private mutating func parseOrThrow(_ buffer: [UInt8]) throws(HTTPError) -> HTTPParseResult {
        if head == nil {
            // The head parser's answer can only change when a line ends, or when the buffer
            // outgrows the shortest length limit (before that no length error can apply).
            let seen = min(headBytesSeen, buffer.count)
            let quietLimit = min(limits.maxRequestLineBytes, limits.maxHeaderBytes)
            if seen > 0, buffer.count <= quietLimit, !buffer[seen...].contains(HTTPBytes.lf) {
                headBytesSeen = buffer.count
                return .incomplete(head: nil)
            }
            guard let parsed = try HTTPHeadParser(limits: limits, bytes: buffer).parse() else {
                headBytesSeen = buffer.count
                return .incomplete(head: nil)
            }
            head = parsed
        }
        let (parsedHead, headLength) = head!
        switch parsedHead.framing {
        case .none:
            reset()
            return .request(HTTPRequest(head: parsedHead, body: []), consumed: headLength)
        case .contentLength(let length):
            guard buffer.count - headLength >= length else { return .incomplete(head: parsedHead) }
            reset()
            let body = Array(buffer[headLength..<(headLength + length)])
            return .request(HTTPRequest(head: parsedHead, body: body), consumed: headLength + length)
        case .chunked:
            var decoder = chunked ?? ChunkedBodyDecoder(start: headLength, limits: limits)
            chunked = nil  // drop the stored copy, or appending to the body would copy all of it
            let end = try decoder.decode(buffer)
            guard let end else {
                chunked = decoder
                return .incomplete(head: parsedHead)
            }
            reset()
            return .request(HTTPRequest(head: parsedHead, body: decoder.body), consumed: end)
        }
    }
}

/// Byte classes from RFC 9110 §5.6.2 and §5.5.
enum HTTPBytes {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A

    /// tchar: "!#$%&'*+-.^_`|~" / DIGIT / ALPHA
    static let isTokenChar: [Bool] = (0...255).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(UInt8(byte))
        }
    }

    /// field-vchar / SP / HTAB, with obs-text (0x80-0xFF) allowed; every other control is refused.
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == tab || (byte >= 0x20 && byte != 0x7F)
    }

    /// Index of the next LF at or after `from`, looking at no more than `limit` bytes.
    static func findLF(_ bytes: [UInt8], from: Int, limit: Int) -> Int? {
        let end = min(bytes.count, from + limit)
        var index = from
        while index < end {
            if bytes[index] == lf { return index }
            index += 1
        }
        return nil
    }
}
