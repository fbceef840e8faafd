import Foundation

/// Converts the bytes of one RFC 8259 number token to the nearest Double, correctly rounded.
///
/// numpy's `repr` writes 16-17 significant digits that round-trip, so "nearly right" is wrong
/// here: every result must equal `Double(String)` on the same text. Three paths, fastest first:
/// Clinger's exact path (<= 15 digits, |exponent| <= 22: one exact multiply or divide), the
/// Eisel-Lemire algorithm (<= 19 digits: a 128-bit product with a table of powers of five), and
/// the standard library's parser for the rare rest (more than 19 digits, ambiguous halfway cases).
enum JSONNumberParser {
    /// The decomposed token: value = (-1)^negative * significand * 10^exponent10.
    struct Decimal {
        var negative: Bool
        var significand: UInt64
        var exponent10: Int
        /// More than 19 significant digits: `significand` is truncated and cannot be trusted.
        var truncated: Bool
    }

    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The Double nearest to `decimal`; `token` is the original text, used only on the slow path.
    /// May return an infinity when the value overflows: the caller rejects it.
    static func value(of decimal: Decimal, token: UnsafeBufferPointer<UInt8>) -> Double {
        if !decimal.truncated {
            if decimal.significand == 0 { return decimal.negative ? -0.0 : 0.0 }
            // Clinger: both the significand and 10^|e| are exact doubles, so one IEEE operation
            // rounds once, correctly.
            if decimal.significand <= 1 << 53, decimal.exponent10 >= -22, decimal.exponent10 <= 22 {
                var v = Double(decimal.significand)
                if decimal.exponent10 < 0 { v /= exactPowersOfTen[-decimal.exponent10] } else { v *= exactPowersOfTen[decimal.exponent10] }
                return decimal.negative ? -v : v
            }
            if let v = eiselLemire(significand: decimal.significand, exponent10: decimal.exponent10) {
                return decimal.negative ? -v : v
            }
        }
        return slowPath(token)
    }

    /// Eisel-Lemire (as in fast_float's `compute_float`); nil when the product cannot decide the
    /// rounding and the slow path must.
    static func eiselLemire(significand w0: UInt64, exponent10 q: Int) -> Double? {
        if q < PowersOfFive.smallestExponent { return 0 }
        if q > PowersOfFive.largestExponent { return .infinity }
        let lz = w0.leadingZeroBitCount
        let w = w0 << UInt64(lz)
        let index = 2 * (q - PowersOfFive.smallestExponent)
        var (high, low) = w.multipliedFullWidth(by: PowersOfFive.table[index])
        // 52 mantissa bits + 3: if the bits below them are all ones, the truncated table entry
        // may be short by one; add the next 64 bits of 5^q.
        let precisionMask: UInt64 = 0x1FF
        if high & precisionMask == precisionMask {
            let (secondHigh, _) = w.multipliedFullWidth(by: PowersOfFive.table[index + 1])
            let (sum, carry) = low.addingReportingOverflow(secondHigh)
            low = sum
            if carry { high &+= 1 }
            if high & precisionMask == precisionMask, low == UInt64.max { return nil }
        }
        let upperBit = Int(high >> 63)
        let shift = UInt64(upperBit + 64 - 52 - 3)
        var mantissa = high >> shift
        // power(q) = floor(q * log2(10)) + 63, as a fixed-point product.
        var power2 = (((152170 + 65536) * q) >> 16) + 63 + upperBit - lz + 1023
        if power2 <= 0 {
            // Subnormal result.
            if -power2 + 1 >= 64 { return 0 }
            mantissa >>= UInt64(-power2 + 1)
            mantissa += mantissa & 1
            mantissa >>= 1
            power2 = mantissa < (1 << 52) ? 0 : 1
            return Double(bitPattern: UInt64(power2) << 52 | mantissa)
        }
        // Exactly halfway between two doubles: round to even, which only happens for small q.
        if low <= 1, q >= -4, q <= 23, mantissa & 3 == 1, (mantissa << shift) == high {
            mantissa &= ~1
        }
        mantissa += mantissa & 1
        mantissa >>= 1
        if mantissa >= (2 << 52) {
            mantissa = 1 << 52
            power2 += 1
        }
        mantissa &= ~(1 << 52)
        if power2 >= 0x7FF { return .infinity }
        return Double(bitPattern: UInt64(power2) << 52 | mantissa)
    }

    private static func slowPath(_ token: UnsafeBufferPointer<UInt8>) -> Double {
        // The standard library's parser is correctly rounded and locale-independent.
        let text = String(decoding: token, as: UTF8.self)
        return Double(text) ?? .nan
    }
}
