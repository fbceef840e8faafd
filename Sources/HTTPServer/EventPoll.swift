import CEpoll

#if canImport(Glibc)
import Glibc
#endif

/// One level-triggered epoll set holding every connection of one event loop, waited on by the
/// loop's own poll thread.
///
/// Why not a DispatchSource per connection: libdispatch arms each source with EPOLLONESHOT, so
/// every event costs an `epoll_ctl` to disarm, another to re-arm and an `ioctl` to size the data,
/// and its manager thread must wake the queue's thread: three syscalls and two thread hand-offs
/// per request. Here one thread waits, then drains every ready connection in one pass on the I/O
/// queue; interest changes (stop reading, wait for writability) are the only `epoll_ctl` calls.
///
/// Events carry a token, not the descriptor: a descriptor number can be closed and reused by a
/// new connection between the wait and the handling, a token never is.
struct EventPoll: Sendable {
    struct Ready: Sendable {
        let token: UInt64
        let readable: Bool
        let writable: Bool
        /// Error or hang-up: reported whatever the interest, so it must be acted on.
        let failed: Bool
    }

    static let batch = Int(GC_EPOLL_MAX_EVENTS)
    let fd: Int32

    /// Nil when the kernel refuses (out of descriptors).
    init?() {
        let fd = gc_epoll_create()
        guard fd >= 0 else { return nil }
        self.fd = fd
    }

    @discardableResult
    func add(_ descriptor: Int32, token: UInt64, readable: Bool, writable: Bool) -> Bool {
        gc_epoll_ctl(fd, gc_epoll_add(), descriptor, token, readable ? 1 : 0, writable ? 1 : 0) == 0
    }

    func modify(_ descriptor: Int32, token: UInt64, readable: Bool, writable: Bool) {
        _ = gc_epoll_ctl(fd, gc_epoll_mod(), descriptor, token, readable ? 1 : 0, writable ? 1 : 0)
    }

    func remove(_ descriptor: Int32) {
        _ = gc_epoll_ctl(fd, gc_epoll_del(), descriptor, 0, 0, 0)
    }

    /// Ready connections, waiting at most `timeoutMilliseconds`; at most `batch` of them.
    func wait(timeoutMilliseconds: Int32, tokens: UnsafeMutablePointer<UInt64>, flags: UnsafeMutablePointer<UInt32>) -> [Ready] {
        let count = gc_epoll_ready(fd, tokens, flags, Int32(Self.batch), timeoutMilliseconds)
        guard count > 0 else { return [] }  // EINTR too: the caller simply waits again
        return (0..<Int(count)).map { index in
            let bits = flags[index]
            return Ready(token: tokens[index], readable: bits & 1 != 0, writable: bits & 2 != 0, failed: bits & 4 != 0)
        }
    }

    func close() {
        _ = Glibc.close(fd)
    }
}
