import ArgumentParser

/// The ranges the flags accept. ArgumentParser has already read each value as its type (a
/// number that is not one is its error); these refuse what would parse but cannot run, with a
/// message that names the flag.
extension GradCheckServer {
    static let ports = 0...65535
    /// Longest timeout a flag accepts: a day.
    static let longestTimeout = 86_400.0

    func validate() throws {
        if let port { try Self.require(port, in: Self.ports, "--port") }
        guard !host.isEmpty else { throw ValidationError("--host must not be empty") }
        try Self.require(maxBodyBytes.value, in: 1...(1 << 40), "--max-body-bytes")
        try Self.require(maxConnections, in: 1...1_000_000, "--max-connections")
        try Self.require(workers, in: 0...1024, "--workers")
        try Self.require(ioThreads, in: 0...256, "--io-threads")
        try Self.require(headerTimeout, "--header-timeout")
        try Self.require(bodyTimeout, "--body-timeout")
        try Self.require(idleTimeout, "--idle-timeout")
        try Self.require(drainTimeout, "--drain-timeout")
        try Self.requirePositive(maxWork.value, shown: maxWork.defaultValueDescription, "--max-work")
        if let maxMemory { try Self.require(maxMemory, in: (1 << 20)...(1 << 50), "--max-memory") }
    }

    static func require(_ value: Int, in range: ClosedRange<Int>, _ name: String) throws(ValidationError) {
        guard range.contains(value) else {
            throw ValidationError("\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
    }

    private static func require(_ timeout: Seconds, _ name: String) throws(ValidationError) {
        try requirePositive(timeout.value, shown: timeout.defaultValueDescription, name)
        guard timeout.value <= longestTimeout else {
            throw ValidationError("\(name) must be at most \(Int(longestTimeout)) seconds, got \(timeout.defaultValueDescription)")
        }
    }

    private static func requirePositive(_ value: Double, shown: String, _ name: String) throws(ValidationError) {
        guard value.isFinite, value > 0 else { throw ValidationError("\(name) must be a number > 0, got \(shown)") }
    }
}
