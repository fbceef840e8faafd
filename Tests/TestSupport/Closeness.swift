import GradCheck

/// |a - b| <= tolerance * max(|a|, |b|)
public func relativelyClose(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool {
    abs(a - b) <= tolerance * max(abs(a), abs(b))
}

public func maxAbsDifference(_ a: Matrix, _ b: Matrix) -> Double {
    precondition(a.shape == b.shape)
    return zip(a.values, b.values).map { abs($0 - $1) }.max() ?? 0
}
