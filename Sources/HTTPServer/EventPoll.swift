import CEpoll
#if canImport(Glibc)
import Glibc
#endif

/// One level-triggered epoll set holding every connection of a server.
///
/// Why not a DispatchSource per connection: libdispatch arms each source with EPOLLONESHOT, so
/// every event costs an `epoll_ctl` to disarm, another to re-arm and an `ioctl` to size the data,
/// plus a wake-up of the queue: three syscalls and a context switch per request. Here the server
/// watches the epoll descriptor itself with one source and drains all ready connections in one
/// pass; interest changes (stop reading, wait for writability) are the only `epoll_ctl` calls.
struct EventPoll {
    struct Ready {
        let fd: Int32
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
    func add(_ descriptor: Int32, readable: Bool, writable: Bool) -> Bool {
        gc_epoll_ctl(fd, gc_epoll_add(), descriptor, readable ? 1 : 0, writable ? 1 : 0) == 0
    }

    func modify(_ descriptor: Int32, readable: Bool, writable: Bool) {
        _ = gc_epoll_ctl(fd, gc_epoll_mod(), descriptor, readable ? 1 : 0, writable ? 1 : 0)
    }

    func remove(_ descriptor: Int32) {
        _ = gc_epoll_ctl(fd, gc_epoll_del(), descriptor, 0, 0)
    }

    /// Ready descriptors right now (never blocks), at most `batch`.
    func ready(fds: UnsafeMutablePointer<Int32>, flags: UnsafeMutablePointer<UInt32>) -> [Ready] {
        var count: Int32
        repeat {
            count = gc_epoll_ready(fd, fds, flags, Int32(Self.batch))
        } while count < 0 && errno == EINTR
        guard count > 0 else { return [] }
        return (0..<Int(count)).map { index in
            let bits = flags[index]
            return Ready(fd: fds[index], readable: bits & 1 != 0, writable: bits & 2 != 0, failed: bits & 4 != 0)
        }
    }

    func close() {
        _ = Glibc.close(fd)
    }
}
