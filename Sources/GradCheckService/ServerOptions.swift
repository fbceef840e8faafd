/// The executable's configuration, read from its command line and environment.
///
/// Parsing is a pure function of the argument list and environment so that tests can feed it
/// real argument vectors; the executable only prints what it returns.
public struct ServerOptions: Sendable, Equatable {
    public var host = "0.0.0.0"
    public var port = 8080
    /// Largest request body in bytes (413 above it).
    public var maxBodyBytes = 64 << 20
    /// Open connections at once; beyond it new clients get 503.
    public var maxConnections = 1024
    /// Threads that run handlers (0: one per core).
    public var workers = 0
    /// Seconds a client may take to send its headers, its body, or to idle between requests.
    public var headerTimeout = 10.0
    public var bodyTimeout = 30.0
    public var idleTimeout = 30.0
    /// Seconds SIGTERM/SIGINT waits for in-flight requests before exiting. Below the 10 s that
    /// `docker stop` and `podman stop` wait before SIGKILL, so a stop always exits 0: what is
    /// still open at the deadline (a stalled upload, say) is cut.
    public var drainTimeout = 8.0
    /// Largest estimated work of one gradient check, in operations (see `WorkEstimate`).
    public var maxOperations = ComputeLimits.defaultMaxOperations
    /// Bytes requests may hold at once (bodies, parsed matrices, compute); nil means the
    /// default from `MemoryLimit.defaultBudget()` (the cgroup limit, or physical memory).
    public var maxMemory: Int?
    /// One access-log line per request on stdout.
    public var accessLog = true
    /// How log lines are written (`--log-format`).
    public var logFormat = LogFormat.text
    /// Seconds between the progress lines of an NDJSON `/gradcheck` (tests shorten it).
    public var progressInterval = ProgressStream.defaultInterval

    public init() {}

    public enum Outcome: Sendable, Equatable {
        case run(ServerOptions)
        case help
        /// `--healthcheck`: probe the running server's /healthz and exit 0 or 1 (for HEALTHCHECK).
        case healthcheck
    }

    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public static let usage = """
        Usage: gradcheck-server [options]

        Serves the gradient checker over HTTP/1.1: POST /forward, /backward, /gradcheck;
        GET / (the browser page), /healthz, /readyz, /metrics, /openapi.json.

        Options:
          --host HOST              address to bind (default 0.0.0.0)
          --port N                 port to bind, 0 picks a free one (default: $PORT or 8080)
          --max-body-bytes N       largest request body (default 67108864 = 64 MiB)
          --max-connections N      open connections at once (default 1024)
          --workers N              handler threads, 0 = one per core (default 0)
          --header-timeout S       seconds to receive the request headers (default 10)
          --body-timeout S         seconds to receive the request body (default 30)
          --idle-timeout S         seconds a keep-alive connection may idle (default 30)
          --drain-timeout S        seconds SIGTERM waits for in-flight requests, then cuts what
                                   is left (default 8: inside docker/podman stop's 10 s)
          --max-work N             largest estimated operations of one request (default 1e11)
          --max-memory BYTES       memory all requests may hold at once: bodies, parsed
                                   matrices, compute (default: 3/4 of the container's cgroup
                                   limit, else 1/2 of physical memory, minus 48 MiB)
          --no-access-log          do not print one line per request
          --log-format FORMAT      \(LogFormat.allCases.map(\.rawValue).joined(separator: "|")): access and startup lines as text or as one JSON object per line (default text)
          --healthcheck            ask the running server's /healthz (port from $\(portFileVariable)) and exit 0 if healthy, 1 if not
          -h, --help               print this help

        Environment:
          PORT                     port when --port is not given
          \(portFileVariable)      file the server writes its bound port to at startup, read by --healthcheck
        """

    /// The environment variable naming the port file (see `PortFile`).
    public static let portFileVariable = "GRADCHECK_PORT_FILE"

    /// Reads `arguments` (without the program name) and `environment`.
    public static func parse(_ arguments: [String], environment: [String: String] = [:]) throws(Failure) -> Outcome {
        var options = ServerOptions()
        if let port = environment["PORT"], !port.isEmpty {
            options.port = try integer(port, name: "PORT", in: 0...65535)
        }
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            func value() throws(Failure) -> String {
                guard let next = remaining.popFirst() else { throw Failure(message: "\(argument) needs a value") }
                return next
            }
            switch argument {
            case "-h", "--help": return .help
            case "--healthcheck": return .healthcheck
            case "--host": options.host = try value()
            case "--port": options.port = try integer(try value(), name: argument, in: 0...65535)
            case "--max-body-bytes": options.maxBodyBytes = try integer(try value(), name: argument, in: 1...(1 << 40))
            case "--max-connections": options.maxConnections = try integer(try value(), name: argument, in: 1...1_000_000)
            case "--workers": options.workers = try integer(try value(), name: argument, in: 0...1024)
            case "--header-timeout": options.headerTimeout = try seconds(try value(), name: argument)
            case "--body-timeout": options.bodyTimeout = try seconds(try value(), name: argument)
            case "--idle-timeout": options.idleTimeout = try seconds(try value(), name: argument)
            case "--drain-timeout": options.drainTimeout = try seconds(try value(), name: argument)
            case "--max-work": options.maxOperations = try positive(try value(), name: argument)
            case "--max-memory": options.maxMemory = try integer(try value(), name: argument, in: (1 << 20)...(1 << 50))
            case "--no-access-log": options.accessLog = false
            case "--log-format":
                let text = try value()
                guard let format = LogFormat(rawValue: text) else {
                    throw Failure(
                        message:
                            "--log-format must be one of \(LogFormat.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text)\"")
                }
                options.logFormat = format
            default: throw Failure(message: "unknown option \(argument); see --help")
            }
        }
        guard !options.host.isEmpty else { throw Failure(message: "--host must not be empty") }
        return .run(options)
    }

    private static func integer(_ text: String, name: String, in range: ClosedRange<Int>) throws(Failure) -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw Failure(message: "\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got \"\(text)\"")
        }
        return value
    }

    private static func seconds(_ text: String, name: String) throws(Failure) -> Double {
        let value = try positive(text, name: name)
        guard value <= 86_400 else { throw Failure(message: "\(name) must be at most 86400 seconds, got \(text)") }
        return value
    }

    private static func positive(_ text: String, name: String) throws(Failure) -> Double {
        guard let value = Double(text), value.isFinite, value > 0 else {
            throw Failure(message: "\(name) must be a number > 0, got \"\(text)\"")
        }
        return value
    }
}
