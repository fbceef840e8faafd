import Foundation
import HTTPServer

/// How the executable writes its lines: `text` for a person at a terminal, `json` (one object per
/// line) for a log pipeline. The flag's help text is built from `allCases`, so it cannot drift.
public enum LogFormat: String, Sendable, CaseIterable {
    case text
    case json

    /// One access-log line. Text: `POST /gradcheck 200 2871B 1.234ms id=... remote=...`.
    public func accessLine(_ entry: HTTPAccessLogEntry, at time: Date = Date()) -> String {
        let milliseconds = Self.milliseconds(entry.duration)
        switch self {
        case .text:
            return "\(entry.method) \(entry.path) \(entry.status) \(entry.bodyBytes)B \(String(format: "%.3f", milliseconds))ms"
                + " id=\(entry.requestID) remote=\(entry.remote)"
        case .json:
            var writer = Self.jsonLine(at: time)
            writer.member("method", string: entry.method)
            writer.member("path", string: entry.path)
            writer.member("status", integer: entry.status.code)
            writer.member("bytes", integer: entry.bodyBytes)
            writer.key("duration_ms")
            try? writer.number((milliseconds * 1000).rounded() / 1000)
            writer.member("request_id", string: entry.requestID)
            writer.member("remote", string: entry.remote)
            if let rejection = entry.rejection {
                writer.member("rejected", string: rejection)
            }
            return Self.finished(&writer)
        }
    }

    /// A lifecycle line (listening, memory budget, draining, stopped). Text keeps the sentence
    /// scripts already read (`gradcheck-server listening on http://...`); json carries the same
    /// sentence as `msg` beside `event` and the values as their own members.
    public func eventLine(_ event: String, _ message: String, fields: [(String, Int)] = [], at time: Date = Date()) -> String {
        switch self {
        case .text:
            return "gradcheck-server \(message)"
        case .json:
            var writer = Self.jsonLine(at: time)
            writer.member("event", string: event)
            writer.member("msg", string: message)
            for (name, value) in fields {
                writer.member(name, integer: value)
            }
            return Self.finished(&writer)
        }
    }

    /// Every JSON line is one object that starts with its timestamp, `ts`.
    private static func jsonLine(at time: Date) -> JSONWriter {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.member("ts", string: timestamp(time))
        return writer
    }

    private static func finished(_ writer: inout JSONWriter) -> String {
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    /// RFC 3339 in UTC with milliseconds, `2026-12-02T10:22:12.123Z`, computed from the epoch
    /// without a formatter (DateFormatter is neither cheap nor Sendable).
    static func timestamp(_ time: Date) -> String {
        let totalMilliseconds = Int((time.timeIntervalSince1970 * 1000).rounded())
        let (days, millisecondOfDay) = totalMilliseconds.quotientAndRemainder(dividingBy: 86_400_000)
        let (year, month, day) = HTTPDate.civil(fromDays: days)
        let ms = millisecondOfDay
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(ms / 3_600_000, 2)):\(pad(ms / 60_000 % 60, 2)):"
            + "\(pad(ms / 1000 % 60, 2)).\(pad(ms % 1000, 3))Z"
    }
}
