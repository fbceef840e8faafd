/// `method SP request-target SP HTTP-version` (RFC 9112 §3).
///
/// Read on the bytes, in place: the line is visible ASCII (checked first), so a byte is a
/// character and nothing here needs `Character` or grapheme-aware `String` operations, which
/// cost several times more on every request.
struct RequestLine {
    let method: HTTPMethod
    let target: String
    let path: String
    let query: String?
    let version: HTTPVersion

    init(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPError) {
        // Exactly two spaces, found in place: no array of parts per request.
        guard let first = line.firstIndex(of: HTTPBytes.space),
            let second = line[(first + 1)...].firstIndex(of: HTTPBytes.space),
            !line[(second + 1)...].contains(HTTPBytes.space)
        else { throw .badRequest("request line must be: method SP target SP version") }
        let methodBytes = UnsafeBufferPointer(rebasing: line[..<first])
        let targetBytes = UnsafeBufferPointer(rebasing: line[(first + 1)..<second])
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(HTTPBytes.isTokenByte) else {
            throw .badRequest("invalid method")
        }
        // Visible ASCII only: no controls, spaces or raw non-ASCII in the target (RFC 3986).
        guard !targetBytes.isEmpty, targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .badRequest("invalid request target")
        }
        let version = try Self.version(UnsafeBufferPointer(rebasing: line[(second + 1)...]))
        let method = HTTPMethod(methodBytes)
        let target = String(decoding: targetBytes, as: UTF8.self)
        let (path, query) = try Self.split(targetBytes, target: target, method: method)
        // Stored only once nothing can throw: a half-built value is never copied or torn down.
        (self.method, self.target, self.path, self.query, self.version) = (method, target, path, query, version)
    }

    /// "HTTP/" DIGIT "." DIGIT; 1.x is served as 1.1, anything else well-formed is 505.
    private static func version(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPError) -> HTTPVersion {
        let isDigit: (UInt8) -> Bool = { $0 >= 0x30 && $0 <= 0x39 }
        guard bytes.count == 8, HTTPBytes.starts(bytes, with: "HTTP/"), isDigit(bytes[5]), bytes[6] == 0x2E, isDigit(bytes[7]) else {
            throw .badRequest("invalid HTTP version")
        }
        let version = HTTPVersion(major: Int(bytes[5] - 0x30), minor: Int(bytes[7] - 0x30))
        guard version.major == 1 else { throw .versionNotSupported("\(version) is not supported; use HTTP/1.1") }
        return version
    }

    /// The path and query of a target (its bytes, and the same text already decoded): origin-form
    /// as sent, absolute-form reduced to its path and query, asterisk-form only for OPTIONS.
    private static func split(
        _ bytes: UnsafeBufferPointer<UInt8>, target: String, method: HTTPMethod
    ) throws(HTTPError) -> (String, String?) {
        let slash = UInt8(ascii: "/")
        let mark = UInt8(ascii: "?")
        var start = 0
        if bytes[0] != slash {
            if bytes.count == 1 && bytes[0] == UInt8(ascii: "*") {
                guard method == .options else { throw .badRequest("asterisk-form is only for OPTIONS") }
                return ("*", nil)
            }
            // absolute-form (RFC 9112 §3.2.2): keep only the path and query.
            guard let authority = schemeLength(bytes) else { throw .badRequest("invalid request target") }
            guard let pathStart = bytes[authority...].firstIndex(where: { $0 == slash || $0 == mark }) else { return ("/", nil) }
            if bytes[pathStart] == mark { return ("/", text(bytes, from: pathStart + 1)) }
            start = pathStart
        }
        guard let query = bytes[start...].firstIndex(of: mark) else {
            // The common origin-form target without a query is its own path: no second decoding.
            return (start == 0 ? target : text(bytes, from: start), nil)
        }
        return (text(bytes, from: start, to: query), text(bytes, from: query + 1))
    }

    /// Length of a leading "http://" or "https://", scheme in any case (RFC 9110 §4.2.3), or nil.
    private static func schemeLength(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        if startsIgnoringCase(bytes, "http://") { return 7 }
        if startsIgnoringCase(bytes, "https://") { return 8 }
        return nil
    }

    /// Whether `bytes` begin with `prefix`, given in lowercase. The target is visible ASCII, so
    /// setting bit 5 lowercases a letter and leaves ':' and '/' as they are.
    private static func startsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
        guard bytes.count >= prefix.utf8CodeUnitCount else { return false }
        return prefix.withUTF8Buffer { lowercase in zip(bytes, lowercase).allSatisfy { $0 | 0x20 == $1 } }
    }

    private static func text(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int? = nil) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(end ?? bytes.count)]), as: UTF8.self)
    }
}
