import HTTPServer

/// What the service needs to run: the HTTP server's address, limits, timeouts and pool, and the
/// service's own budgets. A plain value: the executable builds it from its command line, the
/// integration tests set its fields directly.
@dynamicMemberLookup
public struct ServiceConfiguration: Sendable, Equatable {
    /// Address, limits, timeouts and pool of the HTTP server. Its fields read as the
    /// configuration's own (`configuration.port`).
    public var server = HTTPServerConfiguration()
    /// Largest estimated work of one gradient check, in operations (see `WorkEstimate`).
    public var maxOperations = ComputeLimits.defaultMaxOperations
    /// Bytes requests may hold at once (bodies, parsed matrices, compute); nil means the
    /// default from `MemoryLimit.defaultBudget()` (the cgroup limit, or physical memory).
    public var maxMemory: Int?
    /// Seconds between the progress lines of an NDJSON `/gradcheck` (tests shorten it).
    public var progressInterval = ProgressStream.defaultInterval
    /// The key the replicas share to sign shard partials: its bytes, surrounding whitespace
    /// trimmed; nil leaves partials unsigned.
    public var shardKey: [UInt8]?

    public init() {}

    public subscript<Value>(dynamicMember field: WritableKeyPath<HTTPServerConfiguration, Value>) -> Value {
        get { server[keyPath: field] }
        set { server[keyPath: field] = newValue }
    }
}
