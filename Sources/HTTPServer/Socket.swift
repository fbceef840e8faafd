#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The only place that talks to the kernel: a thin non-blocking POSIX socket layer.
/// Every call retries EINTR; EAGAIN becomes `.wouldBlock`; sends never raise SIGPIPE.
enum Socket {
    struct Failure: Error, CustomStringConvertible {
        let operation: String
        let code: Int32
        var description: String { "\(operation) failed: \(String(cString: strerror(code)))" }
    }

    enum IOResult {
        case transferred(Int)
        case wouldBlock
        case endOfStream
        case failed(Int32)
    }

    /// Binds and listens; returns the descriptor and the port actually bound.
    static func listen(host: String, port: Int, backlog: Int) throws -> (fd: Int32, port: Int) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let info = list else { throw Failure(operation: "getaddrinfo(\(host))", code: EINVAL) }
        defer { freeaddrinfo(list) }
        let fd = socket(
            info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(operation: "socket", code: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let code = errno
            Glibc.close(fd)
            throw Failure(operation: "bind \(host):\(port)", code: code)
        }
        guard Glibc.listen(fd, Int32(backlog)) == 0 else {
            let code = errno
            Glibc.close(fd)
            throw Failure(operation: "listen", code: code)
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let family = storage.ss_family
        let boundPort: UInt16 = withUnsafePointer(to: &storage) { pointer in
            if family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port }
        }
        return (fd, Int(UInt16(bigEndian: boundPort)))
    }

    enum AcceptResult {
        case accepted(Int32)
        case nonePending
        /// Out of descriptors (EMFILE/ENFILE) or memory: the backlog stays full and the listener
        /// stays readable, so the caller must back off instead of spinning.
        case exhausted
    }

    /// A new non-blocking connection with Nagle off (small responses must not wait for ACKs).
    static func accept(_ listener: Int32) -> AcceptResult {
        while true {
            let fd = Glibc.accept(listener, nil, nil)
            if fd >= 0 {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return .accepted(fd)
            }
            switch errno {
            case EINTR, ECONNABORTED: continue
            case EMFILE, ENFILE, ENOBUFS, ENOMEM: return .exhausted
            default: return .nonePending
            }
        }
    }

    /// Raises the soft limit on open descriptors to the hard one (a process may always do so)
    /// and returns the soft limit in force afterwards.
    static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return Int.max }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)  // RLIM_INFINITY (all ones) clamps to Int.max
    }

    /// A descriptor held in reserve (`/dev/null`), so that with every other one in use the
    /// server can still accept one more connection to answer it 503 (close the reserve, accept,
    /// answer, reopen); -1 when none could be opened.
    static func openReserve() -> Int32 {
        let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
        return fd
    }

    /// Reads at most `scratch.count` bytes into `scratch`; the caller copies out what arrived.
    /// A reused scratch buffer costs one copy of the bytes received, where growing the destination
    /// by a zero-filled chunk first cost a 64 KB memset per read, even for a 100-byte request.
    static func read(_ fd: Int32, into scratch: UnsafeMutableRawBufferPointer) -> IOResult {
        while true {
            let count = Glibc.read(fd, scratch.baseAddress!, scratch.count)
            if count > 0 { return .transferred(count) }
            if count == 0 { return .endOfStream }
            if errno == EINTR { continue }
            return (errno == EAGAIN || errno == EWOULDBLOCK) ? .wouldBlock : .failed(errno)
        }
    }

    static func send(_ fd: Int32, _ bytes: [UInt8], from offset: Int) -> IOResult {
        bytes.withUnsafeBytes { raw in
            while true {
                let count = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if count >= 0 { return .transferred(count) }
                if errno == EINTR { continue }
                return (errno == EAGAIN || errno == EWOULDBLOCK) ? .wouldBlock : .failed(errno)
            }
        }
    }

    /// Writes all of `bytes` to a file or pipe (the log's stdout), retrying EINTR and short
    /// writes, and waiting out EAGAIN when the descriptor was left non-blocking. False when the
    /// descriptor refuses for good (closed pipe, full disk): the caller has nowhere else to put them.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if count > 0 {
                offset += count
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                var wanted = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&wanted, 1, 100)
                continue
            }
            return false
        }
        return true
    }

    /// A blocking connection to 127.0.0.1:`port` whose reads and writes time out after
    /// `timeoutSeconds` (SO_RCVTIMEO / SO_SNDTIMEO), so a stuck server fails its caller rather
    /// than hanging it.
    static func connectToLoopback(port: Int, timeoutSeconds: Int) throws(Failure) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(operation: "socket", code: errno) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            _ = Glibc.close(fd)
            throw Failure(operation: "connect to 127.0.0.1:\(port)", code: code)
        }
        return fd
    }

    /// Half-close: the client sees the end of our response while we still drain its bytes.
    static func shutdownWrite(_ fd: Int32) {
        _ = shutdown(fd, Int32(SHUT_WR))
    }

    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// The peer as `address:port` (`[address]:port` for IPv6), or "-" when it cannot be read.
    static func peerAddress(_ fd: Int32) -> String {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard status == 0 else { return "-" }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = storage.ss_family
        // inet_ntop writes a NUL-terminated address into `text`.
        func written() -> String { String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return withUnsafePointer(to: &storage) { pointer -> String in
            if family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var host = address.pointee.sin6_addr
                    guard inet_ntop(AF_INET6, &host, &text, socklen_t(text.count)) != nil else { return "-" }
                    return "[\(written())]:\(UInt16(bigEndian: address.pointee.sin6_port))"
                }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                var host = address.pointee.sin_addr
                guard inet_ntop(AF_INET, &host, &text, socklen_t(text.count)) != nil else { return "-" }
                return "\(written()):\(UInt16(bigEndian: address.pointee.sin_port))"
            }
        }
    }
}
