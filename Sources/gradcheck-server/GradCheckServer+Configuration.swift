import ArgumentParser
import Foundation
import GradCheckService
import HTTPServer

/// From the flags (already validated) and the environment to what the service runs with. The
/// environment is a parameter so tests can give their own; `run()` passes the process's.
extension GradCheckServer {
    func serviceConfiguration(environment: [String: String]) throws(ValidationError) -> ServiceConfiguration {
        var configuration = ServiceConfiguration()
        configuration.host = host
        if let port {
            configuration.port = port
        } else if let text = environment[Self.portVariable], !text.isEmpty {
            guard let port = Int(text) else { throw ValidationError("\(Self.portVariable) must be an integer, got \"\(text)\"") }
            try Self.require(port, in: Self.ports, Self.portVariable)
            configuration.port = port
        }
        configuration.maxBodyBytes = maxBodyBytes.value
        configuration.maxConnections = maxConnections
        configuration.workerCount = workers == 0 ? HTTPServerConfiguration.coreCount : workers
        configuration.ioThreads = ioThreads == 0 ? HTTPServerConfiguration.coreCount : ioThreads
        configuration.headerTimeout = headerTimeout.duration
        configuration.bodyTimeout = bodyTimeout.duration
        configuration.keepAliveTimeout = idleTimeout.duration
        configuration.drainTimeout = drainTimeout.duration
        configuration.maxOperations = maxWork.value
        configuration.maxMemory = maxMemory
        configuration.shardKey = try shardKey(environment: environment)
        return configuration
    }

    /// `--shard-key-file`'s contents, else `$GRADCHECK_SHARD_KEY`, else none (partials unsigned).
    private func shardKey(environment: [String: String]) throws(ValidationError) -> [UInt8]? {
        if let shardKeyFile {
            guard let data = FileManager.default.contents(atPath: shardKeyFile) else {
                throw ValidationError("--shard-key-file: cannot read \(shardKeyFile)")
            }
            return try Self.shardKey(String(decoding: data, as: UTF8.self), from: "--shard-key-file \(shardKeyFile)")
        }
        guard let text = environment[Self.shardKeyVariable], !text.isEmpty else { return nil }
        return try Self.shardKey(text, from: Self.shardKeyVariable)
    }

    private static func shardKey(_ text: String, from source: String) throws(ValidationError) -> [UInt8] {
        let key = Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        guard key.count >= minimumShardKeyBytes else {
            throw ValidationError(
                "\(source): the shard key must be at least \(minimumShardKeyBytes) bytes (e.g. openssl rand -hex 32), got \(key.count)")
        }
        return key
    }
}
