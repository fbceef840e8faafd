/// Parses the request line and header section (RFC 9112 §2-§6) from the start of a buffer and
/// decides the body framing. Returns nil while the header section is incomplete.
enum HTTPHeadParser {
    static func parse(_ bytes: [UInt8], limits: HTTPServerConfiguration) throws(HTTPError) -> (head: HTTPRequestHead, length: Int)? {
        // One pointer for the whole head: no bounds check or array access per byte. The limits
        // are borrowed, not copied into a parser value on every request.
        try bytes.withUnsafeBufferPointer { bytes throws(HTTPError) in try parse(bytes, limits: limits) }
    }

    private static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, limits: HTTPServerConfiguration
    ) throws(HTTPError) -> (head: HTTPRequestHead, length: Int)? {
        // RFC 9112 §2.2: ignore empty lines before the request line, but not endlessly.
        var start = 0
        while start < bytes.count && (bytes[start] == HTTPBytes.cr || bytes[start] == HTTPBytes.lf) {
            if bytes[start] == HTTPBytes.lf && (start == 0 || bytes[start - 1] != HTTPBytes.cr) {
                throw .badRequest("bare LF before the request line")
            }
            start += 1
            if start > limits.maxRequestLineBytes { throw .badRequest("too many empty lines before the request line") }
        }
        guard start < bytes.count else { return nil }
        guard let lineEnd = HTTPBytes.findLF(bytes, from: start, limit: limits.maxRequestLineBytes + 2) else {
            if bytes.count - start > limits.maxRequestLineBytes + 1 {
                throw .uriTooLong("request line longer than \(limits.maxRequestLineBytes) bytes")
            }
            return nil
        }
        guard lineEnd > start, bytes[lineEnd - 1] == HTTPBytes.cr else { throw .badRequest("request line must end with CRLF") }
        if lineEnd - 1 - start > limits.maxRequestLineBytes {
            throw .uriTooLong("request line longer than \(limits.maxRequestLineBytes) bytes")
        }
        let line = try RequestLine(UnsafeBufferPointer(rebasing: bytes[start..<(lineEnd - 1)]))

        var fields = HTTPHeaders()
        var found = SemanticFields()
        // Room for a browser's usual dozen fields at once, instead of growing 1, 2, 4, 8, 16.
        fields.reserveCapacity(16)
        var cursor = lineEnd + 1
        let sectionStart = cursor
        while true {
            let budget = limits.maxHeaderBytes - (cursor - sectionStart) + 2
            guard let fieldEnd = HTTPBytes.findLF(bytes, from: cursor, limit: max(budget, 0)) else {
                if bytes.count - sectionStart > limits.maxHeaderBytes + 1 {
                    throw .headersTooLarge("header section larger than \(limits.maxHeaderBytes) bytes")
                }
                return nil
            }
            guard fieldEnd > cursor, bytes[fieldEnd - 1] == HTTPBytes.cr else {
                throw .badRequest("header line must end with CRLF")
            }
            if fieldEnd - 1 == cursor {
                cursor = fieldEnd + 1
                break
            }
            if fieldEnd + 1 - sectionStart > limits.maxHeaderBytes + 2 {
                throw .headersTooLarge("header section larger than \(limits.maxHeaderBytes) bytes")
            }
            let field = try fieldLine(bytes, from: cursor, to: fieldEnd - 1)
            // The name is tokens, ASCII: as many bytes as its text has, from the line's start.
            found.note(UnsafeBufferPointer(rebasing: bytes[cursor..<(cursor + field.name.utf8.count)]), value: field.value)
            fields.add(field)
            if fields.count > limits.maxHeaderCount {
                throw .headersTooLarge("more than \(limits.maxHeaderCount) header fields")
            }
            cursor = fieldEnd + 1
        }
        let head = try interpret(line, fields, found, limits: limits)
        return (head, cursor)
    }

    /// One `name: value` line (RFC 9112 §5), shared with chunked trailers.
    static func fieldLine(_ bytes: [UInt8], from: Int, to end: Int) throws(HTTPError) -> HTTPHeaders.Field {
        try bytes.withUnsafeBufferPointer { bytes throws(HTTPError) in try fieldLine(bytes, from: from, to: end) }
    }

    static func fieldLine(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to end: Int) throws(HTTPError) -> HTTPHeaders.Field {
        let first = bytes[from]
        // RFC 9112 §5.2: obs-fold must be rejected with 400 by a server that does not unfold.
        if first == HTTPBytes.space || first == HTTPBytes.tab { throw .badRequest("obsolete line folding in header") }
        var index = from
        while index < end && bytes[index] != HTTPBytes.colon {
            // RFC 9112 §5.1: no whitespace between field name and colon (400).
            guard HTTPBytes.isTokenByte(bytes[index]) else {
                throw .badRequest("invalid byte 0x\(String(bytes[index], radix: 16)) in header name")
            }
            index += 1
        }
        guard index < end, index > from else { throw .badRequest("header line without a field name and colon") }
        let name = HTTPHeaders.name(UnsafeBufferPointer(rebasing: bytes[from..<index]))
        var valueStart = index + 1
        var valueEnd = end
        while valueStart < valueEnd && (bytes[valueStart] == HTTPBytes.space || bytes[valueStart] == HTTPBytes.tab) {
            valueStart += 1
        }
        while valueEnd > valueStart && (bytes[valueEnd - 1] == HTTPBytes.space || bytes[valueEnd - 1] == HTTPBytes.tab) {
            valueEnd -= 1
        }
        for position in valueStart..<valueEnd where !HTTPBytes.isFieldValueByte(bytes[position]) {
            throw .badRequest("control byte 0x\(String(bytes[position], radix: 16)) in header \(name)")
        }
        let value = String(decoding: UnsafeBufferPointer(rebasing: bytes[valueStart..<valueEnd]), as: UTF8.self)
        return HTTPHeaders.Field(name: name, value: value)
    }

    /// Message semantics: Host, body framing (RFC 9112 §6), Expect, persistence (§9.3).
    static func interpret(
        _ line: RequestLine, _ fields: HTTPHeaders, _ found: SemanticFields, limits: HTTPServerConfiguration
    ) throws(HTTPError) -> HTTPRequestHead {
        // RFC 9112 §3.2: a 1.1 request without Host, or any request with several, gets 400.
        if found.hosts > 1 || (line.version.minor >= 1 && found.hosts == 0) {
            throw .badRequest("HTTP/1.1 requests need exactly one Host header")
        }
        if let host = found.host, host.withUTF8Bytes({ $0.contains { $0 == HTTPBytes.space || $0 == HTTPBytes.tab || $0 == 0x2F } }) {
            throw .badRequest("invalid Host header")
        }
        var framing = HTTPBodyFraming.none
        if found.transferEncoding {
            // RFC 9112 §6.1: both framings at once is how requests are smuggled.
            if found.lengths > 0 { throw .badRequest("both Content-Length and Transfer-Encoding") }
            if line.version.minor == 0 { throw .badRequest("Transfer-Encoding in an HTTP/1.0 request") }
            let tokens = fields.tokens(for: "Transfer-Encoding")
            if tokens.isEmpty { throw .badRequest("empty Transfer-Encoding") }
            if let unknown = tokens.first(where: { $0 != "chunked" }) {
                throw .notImplemented("transfer coding \"\(unknown)\" is not supported")
            }
            if tokens.count > 1 { throw .badRequest("chunked applied more than once") }
            framing = .chunked
        } else if let lengthText = found.length {
            // RFC 9112 §6.3: repeated or differing lengths are unrecoverable; we refuse all repeats.
            guard found.lengths == 1 else { throw .badRequest("more than one Content-Length") }
            let length = try contentLength(lengthText)
            if length > limits.maxBodyBytes {
                throw .contentTooLarge("body of \(length) bytes exceeds the limit of \(limits.maxBodyBytes) bytes")
            }
            framing = length == 0 ? .none : .contentLength(length)
        }
        // No handler decodes a compressed body: reading gzip bytes as JSON would only end in a
        // confusing syntax error, so a coded body is refused by name (identity is no coding).
        if framing != .none, found.contentEncoding,
            let coding = fields.tokens(for: "Content-Encoding").first(where: { $0 != "identity" })
        {
            throw .unsupportedContentCoding("content coding \"\(coding.prefix(40))\" is not supported; send the body uncompressed")
        }
        let close = found.connection && fields.contains(token: "close", in: "Connection")
        let keepAlive =
            line.version.minor >= 1 ? !close : !close && found.connection && fields.contains(token: "keep-alive", in: "Connection")
        let expectsContinue = line.version.minor >= 1 && found.expect && fields.contains(token: "100-continue", in: "Expect")
        return HTTPRequestHead(
            method: line.method, target: line.target, path: line.path, query: line.query, version: line.version,
            headers: fields, framing: framing, expectsContinue: expectsContinue, keepAlive: keepAlive)
    }

    /// 1*DIGIT, no sign, no spaces, no list; overflow is malformed rather than huge.
    static func contentLength(_ text: String) throws(HTTPError) -> Int {
        try text.withUTF8Bytes { digits in Result { () throws(HTTPError) in try contentLength(digits, text: text) } }.get()
    }

    private static func contentLength(_ digits: UnsafeBufferPointer<UInt8>, text: String) throws(HTTPError) -> Int {
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw .badRequest("invalid Content-Length \"\(text)\"")
        }
        var value = 0
        for digit in digits {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int(digit - 0x30))
            if overflow1 || overflow2 { throw .badRequest("Content-Length overflows") }
            value = sum
        }
        return value
    }
}
