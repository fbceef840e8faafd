import Foundation
import HTTPServer

#if canImport(Glibc)
import Glibc
#endif

/// A deliberately dumb blocking HTTP client over a raw TCP socket, so tests control every byte
/// and every pause. Reads time out (SO_RCVTIMEO) so a broken server fails a test, never hangs it.
public final class RawClient {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) { self.description = description }
    }

    public struct Response {
        public let status: Int
        public let headers: [(name: String, value: String)]
        public let body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public let fd: Int32
    private var buffer: [UInt8] = []

    public init(port: Int, receiveTimeout seconds: Int = 10) throws {
        do throws(LoopbackSocketError) { fd = try LoopbackSocket.connect(port: port, timeoutSeconds: seconds) } catch {
            throw Failure(description: error.description)
        }
    }

    private var closed = false

    deinit { close() }

    /// Closes our side (FIN), as a finished client would.
    public func close() {
        if !closed { Glibc.close(fd) }
        closed = true
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure(description: "send: \(errno)") }
            offset += count
        }
    }

    /// Reads one response (a 1xx interim response counts as one). Body framed by Content-Length,
    /// or read to EOF when there is none.
    public func readResponse(bodyExpected: Bool = true) throws -> Response {
        let headEnd = try readUntil { Self.find(Array("\r\n\r\n".utf8), in: $0) }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, statusLine[0] == "HTTP/1.1", let status = Int(statusLine[1]) else {
            throw Failure(description: "bad status line in \(head)")
        }
        let headers = lines.map { line -> (String, String) in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let response = Response(status: status, headers: headers, body: [])
        if status < 200 || !bodyExpected { return response }
        guard let lengthText = response.header("Content-Length"), let length = Int(lengthText) else {
            return Response(status: status, headers: headers, body: try readToEnd())
        }
        _ = try readUntil { $0.count >= length ? length : nil }
        let body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return Response(status: status, headers: headers, body: body)
    }

    /// Everything until the server closes; throws on timeout.
    public func readToEnd() throws -> [UInt8] {
        while try fill() {}
        defer { buffer = [] }
        return buffer
    }

    /// True when the server has closed the connection (EOF or reset) with nothing more to read.
    public func serverClosed() throws -> Bool {
        guard buffer.isEmpty else { return false }
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, 0)
        if count == 0 || (count < 0 && errno == ECONNRESET) { return true }
        if count > 0 {
            buffer.append(byte)
            return false
        }
        throw Failure(description: "recv while waiting for close: errno \(errno)")
    }

    /// Sends RST instead of FIN on close: the harshest way to disappear mid-response.
    public func abort() {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        shutdown(fd, Int32(SHUT_RDWR))
    }

    public func read(atLeast count: Int) throws -> [UInt8] {
        _ = try readUntil { $0.count >= count ? count : nil }
        defer { buffer.removeFirst(count) }
        return Array(buffer[..<count])
    }

    private func readUntil(_ done: ([UInt8]) -> Int?) throws -> Int {
        while true {
            if let index = done(buffer) { return index }
            guard try fill() else { throw Failure(description: "connection closed early; have \(buffer.count) bytes") }
        }
    }

    /// One recv; false on EOF.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[..<count])
                return true
            }
            if count == 0 { return false }
            if errno == EINTR { continue }
            if errno == ECONNRESET { return false }
            throw Failure(description: "recv failed or timed out: errno \(errno)")
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }
}
