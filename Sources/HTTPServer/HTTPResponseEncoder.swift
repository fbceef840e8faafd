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
        var head = "HTTP/1.1 \(response.status.code) \(response.status.reasonPhrase)\r\n"
        if let date { head += "Date: \(date)\r\n" }
        for field in response.headers where isSafe(field) {
            head += "\(field.name): \(field.value)\r\n"
        }
        if response.stream != nil {
            // RFC 9112 §6.1 / §6.3: chunked for HTTP/1.1; an HTTP/1.0 client reads to the close.
            if requestVersion == .http1_1 { head += "Transfer-Encoding: chunked\r\n" }
        } else if response.status.code >= 200 && response.status != .noContent {
            // RFC 9110 §8.6: no Content-Length on 1xx / 204.
            head += "Content-Length: \(response.body.count)\r\n"
        }
        if !keepAlive {
            head += "Connection: close\r\n"
        } else if requestVersion == .http1_0 {
            head += "Connection: keep-alive\r\n"
        }
        head += "\r\n"
        var bytes = Array(head.utf8)
        if !headOnly && response.status != .noContent && response.status != .notModified && response.stream == nil {
            bytes.append(contentsOf: response.body)
        }
        return bytes
    }

    /// Framing is ours; and a CR or LF in a handler's header would let it inject a response.
    private static func isSafe(_ field: HTTPHeaders.Field) -> Bool {
        let framing = ["content-length", "transfer-encoding", "connection"]
        if framing.contains(field.name.lowercased()) { return false }
        let bad: (UInt8) -> Bool = { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
        return !field.name.utf8.isEmpty && !field.name.utf8.contains(where: bad) && !field.value.utf8.contains(where: bad)
    }
}
