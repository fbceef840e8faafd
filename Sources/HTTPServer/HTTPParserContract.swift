/// What the HTTP request parser promises for any bytes a client can send. Public for the `http`
/// fuzz target (gradcheck-fuzz) and for HTTPServerTests, which replays the kept corpus with it.
public enum HTTPParserContract {
    /// Small limits, so the fuzzer reaches the 413/414/431 paths with short inputs.
    public static let limits: HTTPServerConfiguration = {
        var limits = HTTPServerConfiguration()
        limits.maxRequestLineBytes = 256
        limits.maxHeaderBytes = 512
        limits.maxHeaderCount = 8
        limits.maxBodyBytes = 1024
        return limits
    }()

    /// A description of the broken promise, or nil when the parser kept them all.
    public static func violation(in bytes: [UInt8]) -> String? {
        let whole = outcome(feeding: [bytes])
        // The same bytes in two reads, split where the input's first byte says.
        let split = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
        let twoReads = outcome(feeding: [Array(bytes[..<split]), bytes])
        if whole != twoReads { return "one read gave \(whole), two reads (split at \(split)) gave \(twoReads)" }
        return whole.first { $0.hasPrefix("broken:") }
    }

    /// Parses up to 16 pipelined requests: each `request <consumed>`, then how it ended.
    private static func outcome(feeding reads: [[UInt8]]) -> [String] {
        var parser = HTTPRequestParser(limits: limits)
        var events: [String] = []
        // Every read but the last is a prefix of the last: feed them, then parse what remains.
        for prefix in reads.dropLast() {
            do {
                if case .request = try parser.parse(prefix) {
                    // A request complete in the prefix: the two-read answer may differ only here.
                    parser.reset()
                }
            } catch {
                parser.reset()
            }
        }
        var buffer = reads.last ?? []
        for _ in 0..<16 {
            do {
                switch try parser.parse(buffer) {
                case .incomplete:
                    events.append("incomplete")
                    return events
                case let .request(_, consumed):
                    guard consumed > 0, consumed <= buffer.count else {
                        events.append("broken: consumed \(consumed) of \(buffer.count) bytes")
                        return events
                    }
                    events.append("request \(consumed)")
                    buffer.removeFirst(consumed)
                }
            } catch {
                let status = error.status.code
                events.append((400..<600).contains(status) && !error.detail.isEmpty ? "error \(status)" : "broken: error \(status)")
                return events
            }
        }
        return events
    }
}
