import Foundation
import GradCheckService
import HTTPServer
import JSON

/// How the executable writes its lines: `text` for a person at a terminal, `json` (one object per
/// line) for a log pipeline. `--log-format` lists `allCases` in its help, so it cannot drift.
public enum LogFormat: String, Sendable, CaseIterable {
    case text
    case json

    /// One access-log line. Text: `POST /gradcheck 200 2871B 1.234ms id=... remote=...`.
    public func accessLine(_ entry: HTTPAccessLogEntry, at time: Date = Date()) -> String {
        var bytes: [UInt8] = []
        appendAccessLine(entry, at: time, to: &bytes)
        bytes.removeLast()  // the newline
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The same line and its newline, appended straight into `bytes` with no intermediate strings (the
    /// access log formats one per request, into `BufferedLogWriter`'s buffer). `time` is read
    /// only for JSON lines.
    public func appendAccessLine(_ entry: HTTPAccessLogEntry, at time: @autoclosure () -> Date = Date(), to bytes: inout [UInt8]) {
        bytes.appendStaged { line in append(entry, at: time, to: &line) }
    }

    private func append(_ entry: HTTPAccessLogEntry, at time: () -> Date, to bytes: inout ByteStage) {
        switch self {
        case .text:
            bytes.append(utf8: entry.method)
            bytes.append(UInt8(ascii: " "))
            bytes.append(utf8: entry.path)
            bytes.append(UInt8(ascii: " "))
            bytes.append(decimal: entry.status.code)
            bytes.append(UInt8(ascii: " "))
            bytes.append(decimal: entry.bodyBytes)
            bytes.append(ascii: "B ")
            LogDigits.appendMilliseconds(nanoseconds: entry.nanoseconds, trimmed: false, to: &bytes)
            bytes.append(ascii: "ms id=")
            entry.appendRequestID(to: &bytes)
            bytes.append(ascii: " remote=")
            bytes.append(utf8: entry.remote)
        case .json:
            bytes.append(ascii: #"{"ts":""#)
            LogDigits.appendTimestamp(time(), to: &bytes)
            bytes.append(ascii: #"","method":"#)
            bytes.appendDirectly { JSONText.appendString(entry.method, to: &$0) }
            bytes.append(ascii: #","path":"#)
            bytes.appendDirectly { JSONText.appendString(entry.path, to: &$0) }
            bytes.append(ascii: #","status":"#)
            bytes.append(decimal: entry.status.code)
            bytes.append(ascii: #","bytes":"#)
            bytes.append(decimal: entry.bodyBytes)
            bytes.append(ascii: #","duration_ms":"#)
            LogDigits.appendMilliseconds(nanoseconds: entry.nanoseconds, trimmed: true, to: &bytes)
            bytes.append(ascii: #","request_id":"#)
            bytes.appendDirectly { JSONText.appendString(entry.requestID, to: &$0) }
            bytes.append(ascii: #","remote":"#)
            bytes.appendDirectly { JSONText.appendString(entry.remote, to: &$0) }
            if let rejection = entry.rejection {
                bytes.append(ascii: #","rejected":"#)
                bytes.appendDirectly { JSONText.appendString(rejection.rawValue, to: &$0) }
            }
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "\n"))
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
        var bytes: [UInt8] = []
        bytes.appendStaged { LogDigits.appendTimestamp(time, to: &$0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
