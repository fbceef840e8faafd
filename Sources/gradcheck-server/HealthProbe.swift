import Foundation
import HTTPServer

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
        let fd: Int32
        do throws(LoopbackSocketError) { fd = try LoopbackSocket.connect(port: port, timeoutSeconds: timeoutSeconds) } catch {
            return failure(error.description)
        }
        defer { close(fd) }
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
