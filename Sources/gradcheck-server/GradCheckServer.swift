import ArgumentParser
import GradCheckService
import HTTPServer

/// `gradcheck-server`'s command line. Each flag is declared once, with its help and its default;
/// the default is read from where the service keeps it (`ServiceConfiguration` and what it holds),
/// so `--help` cannot drift from what runs. `validate()` checks the ranges, `serviceConfiguration`
/// adds the environment, `run()` serves.
@main
struct GradCheckServer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradcheck-server",
        abstract: """
            Serves the gradient checker over HTTP/1.1: POST /forward, /backward, /gradcheck; \
            GET / (the browser page), /healthz, /readyz, /metrics, /openapi.json.
            """,
        usage: "gradcheck-server [options]",
        discussion: """
            Environment:
              \(portVariable)                 port when --port is not given
              \(shardKeyVariable)  the shard key when --shard-key-file is not given
              \(portFileVariable)  file the server writes its bound port to at startup,
                                   read by --healthcheck
            """)

    /// Where the defaults below come from.
    static let defaults = ServiceConfiguration()

    // Numeric options take the next argument whatever it looks like, so `--idle-timeout -1` is
    // refused by `validate()` for its value rather than as a missing one.

    @Option(help: ArgumentHelp("address to bind", valueName: "HOST"))
    var host = Self.defaults.host

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("port to bind, 0 picks a free one (default: $\(Self.portVariable) or \(Self.defaults.port))", valueName: "N"))
    var port: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("largest request body", valueName: "N"))
    var maxBodyBytes = ByteCount(Self.defaults.maxBodyBytes)

    @Option(parsing: .unconditional, help: ArgumentHelp("open connections at once", valueName: "N"))
    var maxConnections = Self.defaults.maxConnections

    /// 0 is how the flag says "one per core", `HTTPServerConfiguration`'s default.
    @Option(parsing: .unconditional, help: ArgumentHelp("handler threads, 0 = one per core", valueName: "N"))
    var workers = 0

    @Option(parsing: .unconditional, help: ArgumentHelp("event loops doing the socket I/O, 0 = one per core", valueName: "N"))
    var ioThreads = 0

    @Option(parsing: .unconditional, help: ArgumentHelp("seconds to receive the request headers", valueName: "S"))
    var headerTimeout = Seconds(Self.defaults.headerTimeout)

    @Option(parsing: .unconditional, help: ArgumentHelp("seconds to receive the request body", valueName: "S"))
    var bodyTimeout = Seconds(Self.defaults.bodyTimeout)

    @Option(parsing: .unconditional, help: ArgumentHelp("seconds a keep-alive connection may idle", valueName: "S"))
    var idleTimeout = Seconds(Self.defaults.keepAliveTimeout)

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            """
            seconds SIGTERM waits for in-flight requests, then cuts what is left; the default is \
            inside docker/podman stop's \(Seconds(HTTPServerConfiguration.containerStopGrace).defaultValueDescription) s
            """,
            valueName: "S"))
    var drainTimeout = Seconds(Self.defaults.drainTimeout)

    @Option(parsing: .unconditional, help: ArgumentHelp("largest estimated operations of one request", valueName: "N"))
    var maxWork = OperationCount(Self.defaults.maxOperations)

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            """
            memory all requests may hold at once: bodies, parsed matrices, compute (default: \
            \(Int(MemoryLimit.containerShare * 100))% of the container's cgroup limit, else \
            \(Int(MemoryLimit.physicalShare * 100))% of physical memory, minus \(MemoryLimit.headroomBytes >> 20) MiB)
            """,
            valueName: "BYTES"))
    var maxMemory: Int?

    @Flag(inversion: .prefixedNo, help: "print one line per request")
    var accessLog = true

    @Option(
        help: ArgumentHelp(
            """
            the key (at least \(Self.minimumShardKeyBytes) bytes) the replicas share to sign shard partials; the merge \
            refuses a partial whose tag does not verify (default: $\(Self.shardKeyVariable), else unsigned: merged \
            answers say "verified": false)
            """,
            valueName: "PATH"))
    var shardKeyFile: String?

    @Option(help: ArgumentHelp("access and startup lines as text or as one JSON object per line", valueName: "FORMAT"))
    var logFormat = LogFormat.text

    @Flag(help: "ask the running server's /healthz (port from $\(Self.portFileVariable)) and exit 0 if healthy, 1 if not")
    var healthcheck = false

    /// The port when `--port` is not given (container platforms set it).
    static let portVariable = "PORT"
    /// The shard key itself when `--shard-key-file` is not given.
    static let shardKeyVariable = "GRADCHECK_SHARD_KEY"
    /// The file the server writes its bound port to (see `PortFile`).
    static let portFileVariable = "GRADCHECK_PORT_FILE"
    /// The shortest shard key accepted, in bytes: HMAC-SHA256 keys shorter than its output weaken it.
    static let minimumShardKeyBytes = 32
}
