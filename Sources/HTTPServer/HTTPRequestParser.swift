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
        let parsedHead: HTTPRequestHead
        let headLength: Int
        if let stored = head {
            (parsedHead, headLength) = stored
        } else {
            // The head parser's answer can only change when a line ends, or when the buffer
            // outgrows the shortest length limit (before that no length error can apply).
            let seen = min(headBytesSeen, buffer.count)
            let quietLimit = min(limits.maxRequestLineBytes, limits.maxHeaderBytes)
            if seen > 0, buffer.count <= quietLimit, !buffer[seen...].contains(HTTPBytes.lf) {
                headBytesSeen = buffer.count
                return .incomplete(head: nil)
            }
            guard let new = try HTTPHeadParser.parse(buffer, limits: limits) else {
                headBytesSeen = buffer.count
                return .incomplete(head: nil)
            }
            (parsedHead, headLength) = new
        }
        // The head is stored only while its body is awaited: a request without one (most are)
        // is answered without storing, copying and dropping it.
        switch parsedHead.framing {
        case .none:
            // Nothing else was kept for it: no head is stored, no chunk decoded, without a body.
            headBytesSeen = 0
            return .request(HTTPRequest(head: parsedHead, body: []), consumed: headLength)
        case .contentLength(let length):
            guard buffer.count - headLength >= length else {
                head = (parsedHead, headLength)
                return .incomplete(head: parsedHead)
            }
            reset()
            let body = Array(buffer[headLength..<(headLength + length)])
            return .request(HTTPRequest(head: parsedHead, body: body), consumed: headLength + length)
        case .chunked:
            var decoder = chunked ?? ChunkedBodyDecoder(start: headLength, limits: limits)
            chunked = nil  // drop the stored copy, or appending to the body would copy all of it
            let end = try decoder.decode(buffer)
            guard let end else {
                head = (parsedHead, headLength)
                chunked = decoder
                return .incomplete(head: parsedHead)
            }
            reset()
            return .request(HTTPRequest(head: parsedHead, body: decoder.body), consumed: end)
        }
    }
}
