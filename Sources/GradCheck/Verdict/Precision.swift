/// The floating-point format the caller's forward and backward ran in: its unit roundoff u (half
/// the distance from 1 to the next number) sets how far from the true gradient an honest
/// implementation can land.
public enum Precision: String, Sendable, CaseIterable {
    case float64
    case float32
    case float16
    case bfloat16

    /// 2^-53, 2^-24, 2^-11, 2^-8.
    public var unitRoundoff: Double {
        switch self {
        case .float64: 0x1p-53
        case .float32: 0x1p-24
        case .float16: 0x1p-11
        case .bfloat16: 0x1p-8
        }
    }

    /// The distance between neighbouring subnormal numbers of the format (2^-1074, 2^-149,
    /// 2^-24, 2^-133): below the smallest normal number, rounding errs by up to half of it,
    /// however small the value, instead of by u times the value.
    public var subnormalSpacing: Double {
        switch self {
        case .float64: 0x1p-1074
        case .float32: 0x1p-149
        case .float16: 0x1p-24
        case .bfloat16: 0x1p-133
        }
    }

    /// The smallest normal number (2^-1022, 2^-126, 2^-14, 2^-126): half the subnormal spacing
    /// divided by u, so a rounding error is at most u max(|x|, leastNormal) at every magnitude.
    public var leastNormal: Double { subnormalSpacing / (2 * unitRoundoff) }

    /// Whether every value in `values` is a number of this format (exactly representable), as
    /// gradients computed in it are.
    public func represents(_ values: [Double]) -> Bool {
        switch self {
        case .float64: return true
        case .float32: return values.allSatisfy { Double(Float($0)) == $0 }
        case .float16, .bfloat16:
            // Drop the mantissa bits the format does not have and see whether anything changes.
            let kept = self == .float16 ? 10 : 7
            let mask = ~((UInt64(1) << UInt64(52 - kept)) - 1)
            return values.allSatisfy { $0 == 0 || Double(bitPattern: $0.bitPattern & mask) == $0 }
        }
    }
}
