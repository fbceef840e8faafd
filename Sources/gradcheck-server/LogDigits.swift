import Foundation
import HTTPServer

/// The numbers of a log line written as ASCII digits straight into its bytes: no `String`, no
/// `String(format:)` (which goes through Foundation and a C varargs formatter on every request).
enum LogDigits {
    /// `value` in decimal.
    static func append(_ value: Int, to bytes: inout [UInt8]) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            append(magnitude: value.magnitude, to: &bytes)
        } else {
            append(magnitude: UInt(value), to: &bytes)
        }
    }

    private static func append(magnitude value: UInt, to bytes: inout [UInt8]) {
        if value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        // At most 20 digits, written from the right into 24 bytes on the stack.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { raw in
            var rest = value
            while rest > 0 {
                raw[23 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            bytes.append(contentsOf: raw[(24 - count)...])
        }
    }

    /// `value` in decimal, left-padded with zeros to `width` digits (`value` >= 0).
    static func append(_ value: Int, width: Int, to bytes: inout [UInt8]) {
        var power = 10
        var digits = 1
        while digits < width && value >= power {
            power *= 10
            digits += 1
        }
        if digits < width { bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - digits)) }
        append(value, to: &bytes)
    }

    /// `duration` in milliseconds, rounded to the microsecond: `1.234`, what `%.3f` printed
    /// (`trimmed: false`); or with trailing zeros dropped (`1.5`, `2`), what the JSON writer prints
    /// for the same rounded number (`trimmed: true`).
    static func appendMilliseconds(_ duration: Duration, trimmed: Bool, to bytes: inout [UInt8]) {
        let (seconds, attoseconds) = duration.components
        // Half a microsecond (5e11 attoseconds) rounds away from zero, as `%.3f` does.
        let half: Int64 = attoseconds < 0 ? -500_000_000_000 : 500_000_000_000
        var microseconds = Int(seconds) * 1_000_000 + Int((attoseconds + half) / 1_000_000_000_000)
        if microseconds < 0 {
            bytes.append(UInt8(ascii: "-"))
            microseconds = -microseconds
        }
        append(microseconds / 1000, to: &bytes)
        var fraction = microseconds % 1000
        if !trimmed {
            bytes.append(UInt8(ascii: "."))
            append(fraction, width: 3, to: &bytes)
            return
        }
        guard fraction != 0 else { return }
        var width = 3
        while fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        bytes.append(UInt8(ascii: "."))
        append(fraction, width: width, to: &bytes)
    }

    /// RFC 3339 in UTC with milliseconds, `2026-12-02T10:22:12.123Z`.
    static func appendTimestamp(_ time: Date, to bytes: inout [UInt8]) {
        let totalMilliseconds = Int((time.timeIntervalSince1970 * 1000).rounded())
        let (days, ms) = totalMilliseconds.quotientAndRemainder(dividingBy: 86_400_000)
        let (year, month, day) = HTTPDate.civil(fromDays: days)
        append(year, width: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        append(month, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        append(day, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        append(ms / 3_600_000, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        append(ms / 60_000 % 60, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        append(ms / 1000 % 60, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        append(ms % 1000, width: 3, to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }
}
