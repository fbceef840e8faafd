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
