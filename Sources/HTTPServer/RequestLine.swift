/// `method SP request-target SP HTTP-version` (RFC 9112 §3).
struct RequestLine {
    let method: HTTPMethod
    let target: String
    let path: String
    let query: String?
    let version: HTTPVersion

    init(_ line: ArraySlice<UInt8>) throws(HTTPError) {
        // Exactly two spaces, found in place: no array of parts per request.
        guard let first = line.firstIndex(of: HTTPBytes.space),
            let second = line[(first + 1)...].firstIndex(of: HTTPBytes.space),
            !line[(second + 1)...].contains(HTTPBytes.space)
        else { throw .badRequest("request line must be: method SP target SP version") }
        let (methodBytes, targetBytes, versionBytes) = (line[..<first], line[(first + 1)..<second], line[(second + 1)...])
        guard !methodBytes.isEmpty, methodBytes.allSatisfy({ HTTPBytes.isTokenChar[Int($0)] }) else {
            throw .badRequest("invalid method")
        }
        // Visible ASCII only: no controls, spaces or raw non-ASCII in the target (RFC 3986).
        guard !targetBytes.isEmpty, targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .badRequest("invalid request target")
        }
        version = try Self.version(versionBytes)
        method = HTTPMethod(String(decoding: methodBytes, as: UTF8.self))
        target = String(decoding: targetBytes, as: UTF8.self)
        (path, query) = try Self.split(target: target, method: method)
    }

    /// "HTTP/" DIGIT "." DIGIT; 1.x is served as 1.1, anything else well-formed is 505.
    private static func version(_ bytes: ArraySlice<UInt8>) throws(HTTPError) -> HTTPVersion {
        let isDigit: (UInt8) -> Bool = { $0 >= 0x30 && $0 <= 0x39 }
        let start = bytes.startIndex
        guard bytes.count == 8, bytes.starts(with: "HTTP/".utf8), isDigit(bytes[start + 5]), bytes[start + 6] == 0x2E,
            isDigit(bytes[start + 7])
        else {
            throw .badRequest("invalid HTTP version")
        }
        let version = HTTPVersion(major: Int(bytes[start + 5] - 0x30), minor: Int(bytes[start + 7] - 0x30))
        guard version.major == 1 else { throw .versionNotSupported("\(version) is not supported; use HTTP/1.1") }
        return version
    }

    private static func split(target: String, method: HTTPMethod) throws(HTTPError) -> (String, String?) {
        var pathAndQuery = Substring(target)
        if target == "*" {
            guard method == .options else { throw .badRequest("asterisk-form is only for OPTIONS") }
            return ("*", nil)
        }
        if !target.hasPrefix("/") {
            // absolute-form (RFC 9112 §3.2.2): keep only the path and query.
            let lower = target.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { throw .badRequest("invalid request target") }
            let afterScheme = target[target.index(target.firstIndex(of: ":")!, offsetBy: 3)...]
            pathAndQuery = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }).map { afterScheme[$0...] } ?? "/"
            if pathAndQuery.hasPrefix("?") { pathAndQuery = Substring("/" + pathAndQuery) }
        }
        guard let mark = pathAndQuery.firstIndex(of: "?") else { return (String(pathAndQuery), nil) }
        return (String(pathAndQuery[..<mark]), String(pathAndQuery[pathAndQuery.index(after: mark)...]))
    }
}
