import Foundation
import HTTPServer

/// The numbers of a log line written as ASCII digits straight into its bytes: no `String`, no
/// `String(format:)` (which goes through Foundation and a C varargs formatter on every request).
/// Plain integers are `ByteStage.append(decimal:)`'s, as in the response head.
enum LogDigits {
    /// `value` in decimal, left-padded with zeros to `width` digits (`value` >= 0).
    static func append(_ value: Int, width: Int, to bytes: inout ByteStage) {
        var power = 10
        var digits = 1
        while digits < width && value >= power {
            power *= 10
            digits += 1
        }
        for _ in digits..<max(digits, width) { bytes.append(UInt8(ascii: "0")) }
        bytes.append(decimal: value)
    }

    /// `nanoseconds` in milliseconds, rounded to the microsecond (half a microsecond away from
    /// zero): `1.234`, what `%.3f` printed (`trimmed: false`); or with trailing zeros dropped
    /// (`1.5`, `2`), what the JSON writer prints for the same rounded number (`trimmed: true`).
    static func appendMilliseconds(nanoseconds: Int64, trimmed: Bool, to bytes: inout ByteStage) {
        // In magnitude: Int64.min has none of its own, and rounding is symmetric about zero.
        let microseconds = (nanoseconds.magnitude / 500 + 1) / 2
        // What rounds to zero has no sign.
        if nanoseconds < 0 && microseconds > 0 { bytes.append(UInt8(ascii: "-")) }
        bytes.append(decimal: Int(microseconds / 1000))
        var fraction = Int(microseconds % 1000)
        if !trimmed {
            // Always three digits: written one by one, without `append(_:width:to:)`'s search
            // for the number's width.
            bytes.append(UInt8(ascii: "."))
            bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: fraction / 100))
            bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: fraction / 10 % 10))
            bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: fraction % 10))
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
    static func appendTimestamp(_ time: Date, to bytes: inout ByteStage) {
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
