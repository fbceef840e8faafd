import Foundation
import HTTPServer
import Testing

@testable import gradcheck_server

/// Access lines byte for byte, as they are appended to the log writer's buffer: after what it
/// already holds, escaped in JSON, with pieces longer than the stage that gathers them.
@Suite struct AccessLineBytesTests {
    @Test func jsonLinesEscapeEveryStringAndFollowWhatTheBufferHeld() {
        let entry = HTTPAccessLogEntry(
            method: "G\"T", path: "/a\"b\\c\n\t\u{01}\u{1F}/caf\u{E9}", status: 413, bodyBytes: 1234, duration: .nanoseconds(1_500_499),
            requestID: "id\\1", remote: "[::1]:5000", rejection: .bodyTooLarge)
        let earlier = [UInt8](repeating: UInt8(ascii: "x"), count: 700)
        var bytes = earlier
        LogFormat.json.appendAccessLine(entry, at: Date(timeIntervalSince1970: 951_782_400.5), to: &bytes)
        let expected =
            #"{"ts":"2000-02-29T00:00:00.500Z","method":"G\"T","path":"/a\"b\\c\n\t\u0001\u001f/café","status":413,"#
            + #""bytes":1234,"duration_ms":1.5,"request_id":"id\\1","remote":"[::1]:5000","rejected":"body_too_large"}"# + "\n"
        #expect(bytes == earlier + Array(expected.utf8))
    }

    @Test func textLinesCarryPiecesLongerThanTheStage() {
        let path = "/" + String(repeating: "p", count: 1500)
        let entry = HTTPAccessLogEntry(
            method: "POST", path: path, status: 200, bodyBytes: Int.max, duration: .nanoseconds(1_234_567_890),
            requestID: String(repeating: "a", count: 600), remote: "127.0.0.1:1")
        var bytes: [UInt8] = [0x2A]
        LogFormat.text.appendAccessLine(entry, to: &bytes)
        let expected = "*POST \(path) 200 \(Int.max)B 1234.568ms id=\(String(repeating: "a", count: 600)) remote=127.0.0.1:1\n"
        #expect(bytes == Array(expected.utf8))
    }

    /// Milliseconds rounded to the microsecond from whole nanoseconds, against the rounding done
    /// from `Duration.components` before (half a microsecond away from zero), negatives included.
    @Test func millisecondsRoundAsFromDurationComponents() {
        var values: [Int64] = [0, 1, 499, 500, 501, 999, 1000, 1499, 1500, -1, -499, -500, -501, -1500, .max, .min + 1, .min]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 { values.append(Int64.random(in: -10_000_000_000...10_000_000_000, using: &generator)) }
        for nanoseconds in values {
            for trimmed in [false, true] {
                var bytes: [UInt8] = []
                bytes.appendStaged { LogDigits.appendMilliseconds(nanoseconds: nanoseconds, trimmed: trimmed, to: &$0) }
                #expect(String(decoding: bytes, as: UTF8.self) == Self.reference(nanoseconds, trimmed: trimmed), "\(nanoseconds)")
            }
        }
    }

    /// The text the duration was written as from its `Duration` components.
    private static func reference(_ nanoseconds: Int64, trimmed: Bool) -> String {
        let (seconds, attoseconds) = Duration.nanoseconds(nanoseconds).components
        let half: Int64 = attoseconds < 0 ? -500_000_000_000 : 500_000_000_000
        let microseconds = Int128(seconds) * 1_000_000 + Int128((attoseconds + half) / 1_000_000_000_000)
        let sign = microseconds < 0 ? "-" : ""
        let magnitude = microseconds.magnitude
        var fraction = String(magnitude % 1000)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        if trimmed {
            while fraction.hasSuffix("0") { fraction.removeLast() }
        }
        return sign + String(magnitude / 1000) + (fraction.isEmpty ? "" : "." + fraction)
    }
}
