/// Neumaier's compensated summation: the error of a sum of n terms stays near one rounding
/// instead of growing with n. Cost differences of 1e-7 relative are what the gradient check
/// measures, so plain summation's O(n * ulp) error would show up as false alarms.
public struct CompensatedSum: Sendable {
    private var sum = 0.0
    private var compensation = 0.0

    public init() {}

    public mutating func add(_ x: Double) {
        let t = sum + x
        if abs(sum) >= abs(x) {
            compensation += (sum - t) + x
        } else {
            compensation += (x - t) + sum
        }
        sum = t
    }

    public var value: Double { sum + compensation }

    /// The running sum and its carried error, for a sum continued elsewhere (a shard's partial
    /// sums travel as both parts, so a merge loses nothing).
    public var parts: (sum: Double, compensation: Double) { (sum, compensation) }

    public init(sum: Double, compensation: Double) {
        self.sum = sum
        self.compensation = compensation
    }

    /// Adds another compensated sum: its sum, then its error term.
    public mutating func add(_ other: CompensatedSum) {
        add(other.sum)
        compensation += other.compensation
    }
}
