/// What a handler returns. The server adds `Content-Length` and `Connection` itself, so handlers
/// cannot get framing wrong.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Not sent: why the request was turned away (`queue_full`, `memory`, ...), for the access
    /// log and the metrics. Nil for an answer to the request itself, errors in it included.
    public var rejection: String?
    /// A body produced while it is sent (`body` is then ignored): written with chunked transfer
    /// coding to an HTTP/1.1 client, or delimited by closing the connection for HTTP/1.0.
    public var stream: HTTPBodyStream?

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A 200 (or other status) whose body `produce` writes chunk by chunk on the worker thread.
    public init(status: Int, headers: HTTPHeaders = [:], stream: HTTPBodyStream) {
        self.init(status: status, headers: headers)
        self.stream = stream
    }

    /// A response whose body is already-encoded JSON (or any text) with the given content type.
    public init(status: Int, json: [UInt8], contentType: String = "application/json", headers: HTTPHeaders = [:]) {
        var headers = headers
        headers.set(name: "Content-Type", value: contentType)
        self.init(status: status, headers: headers, body: json)
    }

    public init(status: Int, json: String, contentType: String = "application/json", headers: HTTPHeaders = [:]) {
        self.init(status: status, json: Array(json.utf8), contentType: contentType, headers: headers)
    }

    /// An RFC 9457 problem document: `{"type","title","status","detail"}` as application/problem+json.
    public static func problem(status: Int, detail: String, title: String? = nil, headers: HTTPHeaders = [:]) -> HTTPResponse {
        let title = title ?? HTTPStatus.reasonPhrase(status)
        let json = "{\"type\":\"about:blank\",\"title\":\(jsonString(title)),\"status\":\(status),\"detail\":\(jsonString(detail))}"
        return HTTPResponse(status: status, json: json, contentType: "application/problem+json", headers: headers)
    }

    /// Minimal JSON string escaping (RFC 8259 §7), enough for the server's own messages.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// Reason phrases for the statuses this server and its handlers use.
public enum HTTPStatus {
    /// nginx's "client closed request": logged (never sent) when a client leaves before its answer.
    public static let clientClosedRequest = 499

    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 408: "Request Timeout"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 499: "Client Closed Request"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}
