/// Serialises responses. Pure functions: the framing headers are always computed here, never
/// taken from the handler.
enum HTTPResponseEncoder {
    static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// - Parameters:
    ///   - keepAlive: whether the connection stays open; false adds `Connection: close`.
    ///   - requestVersion: an HTTP/1.0 client that keeps the connection needs `Connection: keep-alive`.
    ///   - headOnly: answer to HEAD: same headers (and Content-Length), no body (RFC 9110 §9.3.2).
    ///   - date: the `Date` header value (RFC 9110 §6.6.1), nil to leave it out.
    static func encode(
        _ response: HTTPResponse, keepAlive: Bool, requestVersion: HTTPVersion = .http1_1, headOnly: Bool = false,
        date: String? = nil
    ) -> [UInt8] {
        var bytes: [UInt8] = []
        encode(response, keepAlive: keepAlive, requestVersion: requestVersion, headOnly: headOnly, date: date, into: &bytes)
        return bytes
    }

    /// The same bytes appended to `bytes` (a connection's output buffer): head and body in one
    /// buffer, for one `send`, built with no intermediate string.
    static func encode(
        _ response: HTTPResponse, keepAlive: Bool, requestVersion: HTTPVersion = .http1_1, headOnly: Bool = false,
        date: String? = nil, into bytes: inout [UInt8]
    ) {
        let sendsBody = !headOnly && response.status != .noContent && response.status != .notModified && response.stream == nil
        bytes.reserveCapacity(bytes.count + 160 + (sendsBody ? response.body.count : 0))
        bytes.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(response.status.code, to: &bytes)
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: response.status.reasonPhrase.utf8)
        bytes.append(contentsOf: "\r\n".utf8)
        if let date {
            bytes.append(contentsOf: "Date: ".utf8)
            bytes.append(contentsOf: date.utf8)
            bytes.append(contentsOf: "\r\n".utf8)
        }
        for field in response.headers where isSafe(field) {
            bytes.append(contentsOf: field.name.utf8)
            bytes.append(contentsOf: ": ".utf8)
            bytes.append(contentsOf: field.value.utf8)
            bytes.append(contentsOf: "\r\n".utf8)
        }
        if response.stream != nil {
            // RFC 9112 §6.1 / §6.3: chunked for HTTP/1.1; an HTTP/1.0 client reads to the close.
            if requestVersion == .http1_1 { bytes.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8) }
        } else if response.status.code >= 200 && response.status != .noContent {
            // RFC 9110 §8.6: no Content-Length on 1xx / 204.
            bytes.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(response.body.count, to: &bytes)
            bytes.append(contentsOf: "\r\n".utf8)
        }
        if !keepAlive {
            bytes.append(contentsOf: "Connection: close\r\n".utf8)
        } else if requestVersion == .http1_0 {
            bytes.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        bytes.append(contentsOf: "\r\n".utf8)
        if sendsBody { bytes.append(contentsOf: response.body) }
    }

    /// A non-negative integer in decimal (a status code, a length).
    private static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        // A short string is stored inline: no allocation.
        bytes.append(contentsOf: String(value).utf8)
    }

    private static let framing = ["Content-Length", "Transfer-Encoding", "Connection"]

    /// Framing is ours; and a CR or LF in a handler's header would let it inject a response.
    private static func isSafe(_ field: HTTPHeaders.Field) -> Bool {
        if framing.contains(where: { HTTPHeaders.namesMatch($0, field.name) }) { return false }
        let bad: (UInt8) -> Bool = { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
        return !field.name.utf8.isEmpty && !field.name.utf8.contains(where: bad) && !field.value.utf8.contains(where: bad)
    }
}
