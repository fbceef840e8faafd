/// Serialises responses. Pure functions: the framing headers are always computed here, never
/// taken from the handler.
enum HTTPResponseEncoder {
    static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// - Parameters:
    ///   - keepAlive: whether the connection stays open; false adds `Connection: close`.
    ///   - requestVersion: an HTTP/1.0 client that keeps the connection needs `Connection: keep-alive`.
    ///   - headOnly: answer to HEAD: same headers (and Content-Length), no body (RFC 9110 §9.3.2).
    ///   - date: the `Date` header value (RFC 9110 §6.6.1), nil to leave it out.
    ///   - requestID: the exchange's `X-Request-Id`, written after the handler's headers in place
    ///     of any the handler set (an exchange has one id); nil to leave the handler's as they are.
    static func encode(
        _ response: HTTPResponse, keepAlive: Bool, requestVersion: HTTPVersion = .http1_1, headOnly: Bool = false,
        date: String? = nil, requestID: RequestID? = nil
    ) -> [UInt8] {
        var bytes: [UInt8] = []
        encode(
            response, keepAlive: keepAlive, requestVersion: requestVersion, headOnly: headOnly, date: date, requestID: requestID,
            into: &bytes)
        return bytes
    }

    /// The same bytes appended to `bytes` (a connection's output buffer): head and body in one
    /// buffer, for one `send`, built with no intermediate string.
    static func encode(
        _ response: HTTPResponse, keepAlive: Bool, requestVersion: HTTPVersion = .http1_1, headOnly: Bool = false,
        date: String? = nil, requestID: RequestID? = nil, into bytes: inout [UInt8]
    ) {
        let sendsBody = !headOnly && response.status != .noContent && response.status != .notModified && response.stream == nil
        bytes.reserveCapacity(bytes.count + 160 + (sendsBody ? response.body.count : 0))
        bytes.appendStaged { head in
            head.append(ascii: "HTTP/1.1 ")
            head.append(decimal: response.status.code)
            head.append(UInt8(ascii: " "))
            head.append(utf8: response.status.reasonPhrase)
            head.append(ascii: "\r\n")
            if let date {
                head.append(ascii: "Date: ")
                head.append(utf8: date)
                head.append(ascii: "\r\n")
            }
            for field in response.headers where !isServerOwned(field.name, replacingRequestID: requestID != nil) {
                appendField(name: field.name, value: field.value, to: &head)
            }
            if let requestID, requestID.isHeaderSafe {
                head.append(utf8: RequestID.headerName)
                head.append(ascii: ": ")
                requestID.append(to: &head)
                head.append(ascii: "\r\n")
            }
            if response.stream != nil {
                // RFC 9112 §6.1 / §6.3: chunked for HTTP/1.1; an HTTP/1.0 client reads to the close.
                if requestVersion == .http1_1 { head.append(ascii: "Transfer-Encoding: chunked\r\n") }
            } else if response.status.code >= 200 && response.status != .noContent {
                // RFC 9110 §8.6: no Content-Length on 1xx / 204.
                head.append(ascii: "Content-Length: ")
                head.append(decimal: response.body.count)
                head.append(ascii: "\r\n")
            }
            if !keepAlive {
                head.append(ascii: "Connection: close\r\n")
            } else if requestVersion == .http1_0 {
                head.append(ascii: "Connection: keep-alive\r\n")
            }
            head.append(ascii: "\r\n")
            // A small body joins the head in the stage; a big one goes straight to `bytes`.
            if sendsBody { head.append(bytes: response.body) }
        }
    }

    /// The fields a handler cannot set: the framing (computed here), and the request id when
    /// the server writes its own.
    private static let framing = ["Content-Length", "Transfer-Encoding", "Connection"]

    private static func isServerOwned(_ name: String, replacingRequestID: Bool) -> Bool {
        // `namesMatch` compares lengths first: most names are rejected without a byte compared.
        for owned in framing where HTTPHeaders.namesMatch(owned, name) { return true }
        return replacingRequestID && HTTPHeaders.namesMatch(RequestID.headerName, name)
    }

    /// `name: value` and its CRLF, or nothing when the name is empty or either carries a CR, LF
    /// or NUL (a handler's header must not be able to inject another field or a response). Each
    /// string's stored bytes are checked and then copied in the one visit.
    private static func appendField(name: String, value: String, to head: inout ByteStage) {
        let written: Void?? = name.utf8.withContiguousStorageIfAvailable { nameBytes in
            value.utf8.withContiguousStorageIfAvailable { valueBytes in
                guard !nameBytes.isEmpty, HeaderText.isSafe(nameBytes), HeaderText.isSafe(valueBytes) else { return }
                head.append(bytes: nameBytes)
                head.append(ascii: ": ")
                head.append(bytes: valueBytes)
                head.append(ascii: "\r\n")
            }
        }
        // A string without stored UTF-8 (a bridged one) is checked and copied by walking it.
        if case .some(.some) = written { return }
        guard !name.isEmpty, HeaderText.isSafe(name), HeaderText.isSafe(value) else { return }
        head.append(utf8: name)
        head.append(ascii: ": ")
        head.append(utf8: value)
        head.append(ascii: "\r\n")
    }
}
