/// A sum of products x y kept as scale^2 x sum((x / scale) (y / scale)), as LAPACK's dnrm2 and
/// dlassq keep a sum of squares: the scale is a power of two at least every |x| and |y| added,
/// so each term is below 1 and nothing underflows or overflows however small (1e-200) or large
/// (1e200) the entries are, and rescaling multiplies by a power of two, which is exact. The sum
/// itself is compensated (`CompensatedSum`), so a shard's partial sums merged in any grouping
/// give the unsharded norms to rounding.
public struct ScaledSum: Sendable {
    /// A power of two above every |x|, |y| added so far; 0 while every term was 0.
    public private(set) var scale = 0.0
    /// sum((x / scale) (y / scale)).
    public private(set) var sum = CompensatedSum()

    public init() {}

    /// A sum continued from its parts (a shard's partial, read back).
    public init(scale: Double, sum: CompensatedSum) {
        self.scale = scale
        self.sum = sum
    }

    /// Adds x y (x x for a sum of squares).
    public mutating func add(_ x: Double, times y: Double) {
        let largest = max(abs(x), abs(y))
        guard largest.isFinite else {
            // NaN or infinity makes the sum so; the check refuses such values before a verdict.
            sum.add(x * y)
            return
        }
        guard largest > 0 else { return }
        if largest >= scale { rescale(to: Self.powerOfTwo(above: largest)) }
        sum.add((x / scale) * (y / scale))
    }

    /// Adds another scaled sum (a later shard's).
    public mutating func add(_ other: ScaledSum) {
        guard other.scale > 0 else {
            if !other.sum.value.isFinite || other.sum.value != 0 { sum.add(other.sum) }
            return
        }
        if other.scale > scale { rescale(to: other.scale) }
        let factor = (other.scale / scale) * (other.scale / scale)
        let parts = other.sum.parts
        sum.add(CompensatedSum(sum: parts.sum * factor, compensation: parts.compensation * factor))
    }

    /// The square root of a sum of squares: scale x sqrt(sum), finite for any finite entries.
    public var root: Double { scale == 0 ? sum.value.squareRoot() : scale * sum.value.squareRoot() }

    /// The sum in units of `unit`^2 (`unit` a power of two at least `scale`): comparable with
    /// other sums brought to the same unit without forming scale^2.
    public func value(inUnitsOf unit: Double) -> Double {
        guard scale > 0 else { return sum.value }
        let ratio = scale / unit
        return sum.value * ratio * ratio
    }

    /// The smallest power of two above `m` (finite, positive).
    static func powerOfTwo(above m: Double) -> Double {
        Double(sign: .plus, exponent: m.exponent + 1, significand: 1)
    }

    private mutating func rescale(to newScale: Double) {
        guard scale > 0 else {
            scale = newScale
            return
        }
        let factor = (scale / newScale) * (scale / newScale)
        let parts = sum.parts
        sum = CompensatedSum(sum: parts.sum * factor, compensation: parts.compensation * factor)
        scale = newScale
    }
}
