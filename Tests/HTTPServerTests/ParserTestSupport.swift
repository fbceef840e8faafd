import Testing

@testable import HTTPServer

/// Test-only helpers: feed literal request bytes to the parser whole, split at every offset, and
/// one byte at a time, and check all three agree.
enum ParserHarness {
    static func config(_ change: (inout HTTPServerConfiguration) -> Void = { _ in }) -> HTTPServerConfiguration {
        var configuration = HTTPServerConfiguration()
        change(&configuration)
        return configuration
    }

    /// Parses `text` (which must hold exactly one complete request, maybe followed by more bytes)
    /// in one go and returns the request and the bytes it consumed.
    static func parseWhole(_ bytes: [UInt8], _ configuration: HTTPServerConfiguration = config()) throws(HTTPError) -> (HTTPRequest, Int)? {
        var parser = HTTPRequestParser(limits: configuration)
        guard case .request(let request, let consumed) = try parser.parse(bytes) else { return nil }
        return (request, consumed)
    }

    /// Parses a single valid request whole, then split at every offset (fresh parser, prefix then
    /// all), then one byte at a time (one parser, growing buffer). Every path must give the
    /// same request; no prefix may yield a request or an error.
    static func parseEverySplit(
        _ text: String, _ configuration: HTTPServerConfiguration = config(),
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> HTTPRequest {
        let bytes = Array(text.utf8)
        guard let (whole, consumed) = try parseWhole(bytes, configuration) else {
            Issue.record("request did not parse whole", sourceLocation: sourceLocation)
            throw HTTPError(status: 0, detail: "incomplete")
        }
        #expect(consumed == bytes.count, "consumed \(consumed) of \(bytes.count)", sourceLocation: sourceLocation)
        for split in 0..<bytes.count {
            var parser = HTTPRequestParser(limits: configuration)
            let first = try parser.parse(Array(bytes[..<split]))
            guard case .incomplete = first else {
                Issue.record("prefix of \(split) bytes gave \(first)", sourceLocation: sourceLocation)
                continue
            }
            let second = try parser.parse(bytes)
            #expect(second == .request(whole, consumed: consumed), "split at \(split)", sourceLocation: sourceLocation)
        }
        var parser = HTTPRequestParser(limits: configuration)
        var grown: [UInt8] = []
        for (index, byte) in bytes.enumerated() {
            grown.append(byte)
            let result = try parser.parse(grown)
            if index == bytes.count - 1 {
                #expect(result == .request(whole, consumed: consumed), "byte at a time", sourceLocation: sourceLocation)
            } else if case .request = result {
                Issue.record("request after only \(index + 1) bytes", sourceLocation: sourceLocation)
            }
        }
        return whole
    }

    /// The status a malformed request is refused with, fed whole; also checks that feeding it one
    /// byte at a time ends in the same status (errors may be detected early, never a request).
    static func errorStatus(
        _ bytes: [UInt8], _ configuration: HTTPServerConfiguration = config(),
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Int? {
        var wholeStatus: Int?
        do {
            var parser = HTTPRequestParser(limits: configuration)
            let result = try parser.parse(bytes)
            Issue.record("expected an error, got \(result)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.closesConnection, sourceLocation: sourceLocation)
            wholeStatus = error.status.code
        }
        var parser = HTTPRequestParser(limits: configuration)
        var grown: [UInt8] = []
        var incrementalStatus: Int?
        for byte in bytes {
            grown.append(byte)
            do {
                if case .request = try parser.parse(grown) {
                    Issue.record("a prefix parsed as a request", sourceLocation: sourceLocation)
                    break
                }
            } catch {
                incrementalStatus = error.status.code
                break
            }
        }
        #expect(incrementalStatus == wholeStatus, "byte-at-a-time status differs", sourceLocation: sourceLocation)
        return wholeStatus
    }

    static func errorStatus(
        _ text: String, _ configuration: HTTPServerConfiguration = config(),
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Int? {
        errorStatus(Array(text.utf8), configuration, sourceLocation: sourceLocation)
    }
}
