import Foundation
import HTTPServer

/// The executable's configuration, read from its command line and environment.
///
/// Parsing is a pure function of the argument list and environment so that tests can feed it
/// real argument vectors; the executable only prints what it returns.
@dynamicMemberLookup
public struct ServerOptions: Sendable, Equatable {
    /// Address, limits, timeouts and pool of the HTTP server: its defaults are the executable's,
    /// and the flags below write into it. Its fields read as the options' own (`options.port`).
    public var server = HTTPServerConfiguration()
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
    /// The key the replicas share to sign shard partials (`--shard-key-file`, or the
    /// `GRADCHECK_SHARD_KEY` environment variable): its bytes, surrounding whitespace trimmed.
    public var shardKey: [UInt8]?

    public init() {}

    public subscript<Value>(dynamicMember field: WritableKeyPath<HTTPServerConfiguration, Value>) -> Value {
        get { server[keyPath: field] }
        set { server[keyPath: field] = newValue }
    }

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

    /// The help text. Every default in it is read from the values above, so it cannot drift.
    public static let usage: String = {
        let defaults = ServerOptions()
        let seconds = Self.secondsText
        let memory = (
            container: Int(MemoryLimit.containerShare * 100), physical: Int(MemoryLimit.physicalShare * 100),
            headroom: MemoryLimit.headroomBytes >> 20
        )
        return """
            Usage: gradcheck-server [options]

            Serves the gradient checker over HTTP/1.1: POST /forward, /backward, /gradcheck;
            GET / (the browser page), /healthz, /readyz, /metrics, /openapi.json.

            Options:
              --host HOST              address to bind (default \(defaults.host))
              --port N                 port to bind, 0 picks a free one (default: $PORT or \(defaults.port))
              --max-body-bytes N       largest request body (default \(defaults.maxBodyBytes) = \(defaults.maxBodyBytes >> 20) MiB)
              --max-connections N      open connections at once (default \(defaults.maxConnections))
              --workers N              handler threads, 0 = one per core (default 0)
              --io-threads N           event loops doing the socket I/O, 0 = one per core (default 0)
              --header-timeout S       seconds to receive the request headers (default \(seconds(defaults.headerTimeout)))
              --body-timeout S         seconds to receive the request body (default \(seconds(defaults.bodyTimeout)))
              --idle-timeout S         seconds a keep-alive connection may idle (default \(seconds(defaults.keepAliveTimeout)))
              --drain-timeout S        seconds SIGTERM waits for in-flight requests, then cuts what
                                       is left (default \(seconds(defaults.drainTimeout)): inside docker/podman stop's \(seconds(HTTPServerConfiguration.containerStopGrace)) s)
              --max-work N             largest estimated operations of one request (default \(scientific(defaults.maxOperations)))
              --max-memory BYTES       memory all requests may hold at once: bodies, parsed
                                       matrices, compute (default: \(memory.container)% of the container's cgroup
                                       limit, else \(memory.physical)% of physical memory, minus \(memory.headroom) MiB)
              --no-access-log          do not print one line per request
              --shard-key-file PATH    the key (at least 32 bytes) the replicas share to sign shard partials;
                                       the merge refuses a partial whose tag does not verify (default:
                                       $GRADCHECK_SHARD_KEY, else unsigned: merged answers say "verified": false)
              --log-format FORMAT      \(LogFormat.allCases.map(\.rawValue).joined(separator: "|")): access and startup lines as text or as one JSON object per line (default \(defaults.logFormat.rawValue))
              --healthcheck            ask the running server's /healthz (port from $\(portFileVariable)) and exit 0 if healthy, 1 if not
              -h, --help               print this help

            Environment:
              PORT                     port when --port is not given
              \(portFileVariable)      file the server writes its bound port to at startup, read by --healthcheck
            """
    }()

    /// A duration as the seconds a flag takes: `10`, or `1.5` when it is not whole.
    static func secondsText(_ duration: Duration) -> String {
        let seconds = duration.inSeconds
        return seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }

    /// `1e11` for 100000000000.
    private static func scientific(_ value: Double) -> String {
        String(format: "%g", value).replacingOccurrences(of: "e+", with: "e")
    }

    /// The environment variable holding the shard key (when `--shard-key-file` is not given).
    public static let shardKeyVariable = "GRADCHECK_SHARD_KEY"

    /// The shortest shard key accepted, in bytes: HMAC-SHA256 keys shorter than its output weaken it.
    public static let minimumShardKeyBytes = 32

    /// The environment variable naming the port file (see `PortFile`).
    public static let portFileVariable = "GRADCHECK_PORT_FILE"

    /// Reads `arguments` (without the program name) and `environment`.
    public static func parse(_ arguments: [String], environment: [String: String] = [:]) throws(Failure) -> Outcome {
        var options = ServerOptions()
        if let port = environment["PORT"], !port.isEmpty {
            options.port = try integer(port, name: "PORT", in: 0...65535)
        }
        if let key = environment[shardKeyVariable], !key.isEmpty { options.shardKey = try shardKey(key, from: shardKeyVariable) }
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
            case "--workers":
                let workers = try integer(try value(), name: argument, in: 0...1024)
                options.workerCount = workers == 0 ? HTTPServerConfiguration.coreCount : workers
            case "--io-threads":
                let loops = try integer(try value(), name: argument, in: 0...256)
                options.ioThreads = loops == 0 ? HTTPServerConfiguration.coreCount : loops
            case "--header-timeout": options.headerTimeout = try seconds(try value(), name: argument)
            case "--body-timeout": options.bodyTimeout = try seconds(try value(), name: argument)
            case "--idle-timeout": options.keepAliveTimeout = try seconds(try value(), name: argument)
            case "--drain-timeout": options.drainTimeout = try seconds(try value(), name: argument)
            case "--max-work": options.maxOperations = try positive(try value(), name: argument)
            case "--max-memory": options.maxMemory = try integer(try value(), name: argument, in: (1 << 20)...(1 << 50))
            case "--no-access-log": options.accessLog = false
            case "--shard-key-file":
                let path = try value()
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw Failure(message: "--shard-key-file: cannot read \(path)")
                }
                options.shardKey = try shardKey(String(decoding: data, as: UTF8.self), from: "--shard-key-file \(path)")
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

    private static func shardKey(_ text: String, from source: String) throws(Failure) -> [UInt8] {
        let key = Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        guard key.count >= minimumShardKeyBytes else {
            throw Failure(
                message:
                    "\(source): the shard key must be at least \(minimumShardKeyBytes) bytes (e.g. openssl rand -hex 32), got \(key.count)")
        }
        return key
    }

    private static func integer(_ text: String, name: String, in range: ClosedRange<Int>) throws(Failure) -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw Failure(message: "\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got \"\(text)\"")
        }
        return value
    }

    /// Longest timeout a flag accepts: a day.
    private static let longestTimeout = 86_400.0

    private static func seconds(_ text: String, name: String) throws(Failure) -> Duration {
        let value = try positive(text, name: name)
        guard value <= longestTimeout else {
            throw Failure(message: "\(name) must be at most \(Int(longestTimeout)) seconds, got \(text)")
        }
        return .seconds(value)
    }

    private static func positive(_ text: String, name: String) throws(Failure) -> Double {
        guard let value = Double(text), value.isFinite, value > 0 else {
            throw Failure(message: "\(name) must be a number > 0, got \"\(text)\"")
        }
        return value
    }
}
