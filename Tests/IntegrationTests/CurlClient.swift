import CCurl
import Dispatch

/// A libcurl failure: the CURLcode and libcurl's own explanation.
struct CurlError: Error, CustomStringConvertible {
    let code: CURLcode
    let message: String

    var description: String { "curl error \(code.rawValue): \(message)" }
}

/// An HTTP response as the client saw it.
struct CurlResponse {
    let status: Int
    /// Headers of the final response (an interim `100 Continue` block is dropped), in order.
    let headers: [(name: String, value: String)]
    let body: [UInt8]
    /// Total time of the transfer, in seconds (CURLINFO_TOTAL_TIME_T).
    let seconds: Double
    /// Connections libcurl had to open for this transfer: 0 when it reused a kept-alive one.
    let newConnections: Int
    /// When each piece of the body arrived: the body's length after it, and the uptime in ns.
    var arrivals: [(length: Int, nanoseconds: UInt64)] = []

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The first header named `name`, case-insensitively (RFC 9110 §5.1).
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// A blocking HTTP client over one libcurl easy handle, like a script's `curl` but reusable:
/// the handle keeps its connection alive between requests, so tests can check keep-alive.
///
/// Not Sendable: one client per thread or task, as libcurl requires for an easy handle.
final class CurlClient {
    /// Transfer state the C callbacks reach through their userdata pointer.
    private final class Transfer {
        var upload: [UInt8] = []
        var uploadOffset = 0
        /// Largest piece handed to libcurl per read callback (small values force many chunks).
        var uploadPieceSize = Int.max
        var body: [UInt8] = []
        var arrivals: [(length: Int, nanoseconds: UInt64)] = []
        var headers: [(name: String, value: String)] = []
    }

    private static let globalInit: CURLcode = gc_global_init()

    private let handle: UnsafeMutableRawPointer
    private let transfer = Transfer()
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
    /// Upper bound on any one transfer, so a hung server fails a test instead of hanging it.
    var timeoutMilliseconds = 30_000

    init() throws {
        guard Self.globalInit == CURLE_OK, let handle = curl_easy_init() else {
            throw CurlError(code: CURLE_FAILED_INIT, message: "curl_easy_init failed")
        }
        self.handle = handle
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        let userdata = Unmanaged.passUnretained(transfer).toOpaque()
        try check(gc_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        try check(gc_setopt_long(handle, CURLOPT_NOSIGNAL, 1))  // no SIGALRM: tests run threads
        try check(gc_setopt_writefunction(handle, Self.write))
        try check(gc_setopt_pointer(handle, CURLOPT_WRITEDATA, userdata))
        try check(gc_setopt_headerfunction(handle, Self.header))
        try check(gc_setopt_pointer(handle, CURLOPT_HEADERDATA, userdata))
        try check(gc_setopt_readfunction(handle, Self.read))
        try check(gc_setopt_pointer(handle, CURLOPT_READDATA, userdata))
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    func get(_ url: String, headers: [String] = []) throws -> CurlResponse {
        try perform(method: "GET", url: url, body: nil, headers: headers)
    }

    /// POSTs `body`. `chunked` sends it with `Transfer-Encoding: chunked` in pieces of at most
    /// `pieceSize` bytes instead of with a Content-Length. `contentType` nil sends none.
    func post(
        _ url: String, body: [UInt8], contentType: String? = "application/json", headers: [String] = [],
        chunked: Bool = false, pieceSize: Int = Int.max
    ) throws -> CurlResponse {
        var all = headers
        if let contentType { all.append("Content-Type: \(contentType)") }
        if chunked { all.append("Transfer-Encoding: chunked") }
        return try perform(method: "POST", url: url, body: body, headers: all, chunked: chunked, pieceSize: pieceSize)
    }

    func post(_ url: String, json: String, headers: [String] = []) throws -> CurlResponse {
        try post(url, body: Array(json.utf8), headers: headers)
    }

    /// Any method (PUT, DELETE, ...), with an optional body sent with a Content-Length.
    func request(
        _ method: String, _ url: String, body: [UInt8]? = nil, headers: [String] = [],
        chunked: Bool = false, pieceSize: Int = Int.max
    ) throws -> CurlResponse {
        try perform(method: method, url: url, body: body, headers: headers, chunked: chunked, pieceSize: pieceSize)
    }

    /// Sets a numeric option on the underlying handle (e.g. CURLOPT_EXPECT_100_TIMEOUT_MS).
    func set(_ option: CURLoption, _ value: Int) throws {
        try check(gc_setopt_long(handle, option, value))
    }

    /// Sets a string option on the underlying handle (libcurl copies it).
    func set(_ option: CURLoption, _ value: String) throws {
        try check(value.withCString { gc_setopt_string(handle, option, $0) })
    }

    private func perform(
        method: String, url: String, body: [UInt8]?, headers: [String],
        chunked: Bool = false, pieceSize: Int = Int.max
    ) throws -> CurlResponse {
        transfer.body.removeAll(keepingCapacity: true)
        transfer.arrivals.removeAll()
        transfer.headers.removeAll()
        transfer.upload = body ?? []
        transfer.uploadOffset = 0
        transfer.uploadPieceSize = max(1, pieceSize)
        errorBuffer[0] = 0

        try set(CURLOPT_URL, url)
        try set(CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
        // Reset what the previous request on this handle may have set, then set this one's.
        try check(gc_setopt_pointer(handle, CURLOPT_CUSTOMREQUEST, nil))
        if let body {
            try check(gc_setopt_long(handle, CURLOPT_POST, 1))
            try check(gc_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, chunked ? -1 : curl_off_t(body.count)))
            if method != "POST" { try set(CURLOPT_CUSTOMREQUEST, method) }
        } else {
            try check(gc_setopt_long(handle, CURLOPT_HTTPGET, 1))
            if method != "GET" { try set(CURLOPT_CUSTOMREQUEST, method) }
        }

        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }
        try check(gc_setopt_slist(handle, CURLOPT_HTTPHEADER, list))
        defer { _ = gc_setopt_slist(handle, CURLOPT_HTTPHEADER, nil) }  // the list dies with this call

        try check(curl_easy_perform(handle))

        var status = 0
        try check(gc_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status))
        var microseconds: curl_off_t = 0
        try check(gc_getinfo_off_t(handle, CURLINFO_TOTAL_TIME_T, &microseconds))
        var connects = 0
        try check(gc_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects))
        return CurlResponse(
            status: status, headers: transfer.headers, body: transfer.body,
            seconds: Double(microseconds) / 1e6, newConnections: connects, arrivals: transfer.arrivals)
    }

    private func check(_ code: CURLcode) throws {
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            throw CurlError(code: code, message: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        }
    }

    // The C callbacks: no captures allowed, so state arrives through the userdata pointer.

    private static let write: gc_data_callback = { data, size, count, userdata in
        let transfer = Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
        let length = size * count
        if let data, length > 0 {
            transfer.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
            transfer.arrivals.append((transfer.body.count, DispatchTime.now().uptimeNanoseconds))
        }
        return length
    }

    private static let header: gc_data_callback = { data, size, count, userdata in
        let transfer = Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
        let length = size * count
        guard let data, length > 0 else { return length }
        let line = trimmed(String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self))
        if line.hasPrefix("HTTP/") {
            transfer.headers.removeAll()  // a new status line: drop an interim 100 Continue block
        } else if let colon = line.firstIndex(of: ":") {
            transfer.headers.append((String(line[..<colon]), trimmed(String(line[line.index(after: colon)...]))))
        }
        return length
    }

    private static let read: gc_data_callback = { buffer, size, count, userdata in
        let transfer = Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
        let room = min(size * count, transfer.uploadPieceSize, transfer.upload.count - transfer.uploadOffset)
        guard let buffer, room > 0 else { return 0 }
        transfer.upload.withUnsafeBytes { source in
            UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + transfer.uploadOffset, byteCount: room)
        }
        transfer.uploadOffset += room
        return room
    }

    private static func trimmed(_ text: String) -> String {
        let blank: Set<Character> = [" ", "\t", "\r", "\n", "\r\n"]
        var slice = Substring(text)
        while let first = slice.first, blank.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, blank.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
