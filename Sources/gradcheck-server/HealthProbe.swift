import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `gradcheck-server --healthcheck`, the container's HEALTHCHECK: asks the running server's
/// `/healthz` on the port it really bound, whatever it was given (`--port`, `PORT`, or 0). The
/// server writes that port to the file `$GRADCHECK_PORT_FILE` names once it listens (see
/// `PortFile`), so the probe needs no shell, no curl and no guess.
enum HealthProbe {
    /// 0 when /healthz answered 200 within `timeoutSeconds`, 1 otherwise (and why, on stderr).
    static func run(portFile: String?, timeoutSeconds: Int = 3) -> Int32 {
        guard let portFile, let port = PortFile.read(portFile) else {
            return failure("no port file: the server has not started listening (\(portFile ?? "GRADCHECK_PORT_FILE is not set"))")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return failure("socket: errno \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return failure("connect 127.0.0.1:\(port): errno \(errno)") }
        let request = Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return failure("send: errno \(errno)") }
        var reply = [UInt8](repeating: 0, count: 64)
        let count = recv(fd, &reply, reply.count, 0)
        guard count > 0 else { return failure("no answer from 127.0.0.1:\(port)") }
        let statusLine = String(decoding: reply[..<count], as: UTF8.self).prefix { $0 != "\r" }
        guard statusLine.hasPrefix("HTTP/1.1 200 ") else { return failure("/healthz answered \(statusLine)") }
        return 0
    }

    private static func failure(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("gradcheck-server --healthcheck: \(message)\n".utf8))
        return 1
    }
}

/// The bound port, written once the server listens so `--healthcheck` probes the real one.
/// Written to a temporary name and renamed, so a probe never reads half a file.
enum PortFile {
    static func write(_ port: Int, to path: String) throws {
        let temporary = path + ".tmp"
        try Data("\(port)\n".utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    static func read(_ path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)).flatMap { (1...65535).contains($0) ? $0 : nil }
    }
}
