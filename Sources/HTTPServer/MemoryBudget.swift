import Dispatch
import Glibc
import Synchronization

/// One process-wide account of the memory requests may hold: request bodies while they arrive
/// and wait (reserved by the connection as its buffer grows), and what a handler computes with
/// (reserved by the handler from its own price before it allocates). When a reservation does
/// not fit, the request is answered 503 with `Retry-After` instead of growing the process into
/// its container's OOM killer, which would lose every request in flight.
///
/// The budget counts bytes the code asked for, not pages the kernel holds; `limit` therefore
/// leaves headroom below the real ceiling (see `GradCheckService.MemoryLimit`).
public final class MemoryBudget: Sendable {
    /// Bytes that may be reserved at once.
    public let limit: Int
    /// Bytes reserved now, and the most reserved since the last trim.
    private let account = Mutex<(reserved: Int, highWater: Int)>((0, 0))
    /// One trim at a time: a burst of releases asks for one, not one each.
    private let trimScheduled = Atomic<Bool>(false)
    /// Once this much more than is reserved now was reserved since the last trim, a release asks
    /// glibc to hand freed memory back (`malloc_trim`): glibc keeps freed heap memory for reuse,
    /// so without it the resident size stays at the peak of the last burst.
    public static let trimAfterBytes = 8 << 20

    public init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// No limit: for tests and in-process callers that do not share a machine.
    public static var unlimited: MemoryBudget { MemoryBudget(limit: Int.max) }

    /// Bytes currently reserved.
    public var reservedBytes: Int { account.withLock { $0.reserved } }

    /// Reserves `bytes` if they fit beside what is reserved; false (nothing reserved) otherwise.
    public func reserve(_ bytes: Int) -> Bool {
        guard bytes > 0 else { return true }
        return account.withLock { account in
            guard bytes <= limit - account.reserved else { return false }
            account.reserved += bytes
            account.highWater = max(account.highWater, account.reserved)
            return true
        }
    }

    /// Records `bytes` that are already allocated, even past the limit: the account stays true
    /// and the next `reserve` is refused until enough is released.
    public func reserve(_ bytes: Int, evenPastTheLimit: Bool) {
        guard bytes > 0 else { return }
        guard evenPastTheLimit else {
            _ = reserve(bytes)
            return
        }
        account.withLock { account in
            account.reserved += bytes
            account.highWater = max(account.highWater, account.reserved)
        }
    }

    public func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        let trim = account.withLock { account -> Bool in
            account.reserved = max(0, account.reserved - bytes)
            guard account.highWater - account.reserved >= Self.trimAfterBytes else { return false }
            account.highWater = account.reserved
            return true
        }
        if trim { scheduleTrim() }
    }

    /// `malloc_trim(0)` off the caller's thread, a moment after the release, so the memory the
    /// released request freed (its body, its matrices) is returned while nothing large is live.
    private func scheduleTrim() {
        guard !trimScheduled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + .milliseconds(50)) { [self] in
            trimScheduled.store(false, ordering: .releasing)
            _ = Self.mallocTrim?(0)
        }
    }

    /// glibc's `malloc_trim`, looked up at run time: Glibc's Swift module leaves <malloc.h> out,
    /// and another C library (musl in a static image) may not have it, which leaves trimming off.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
    }()
}
