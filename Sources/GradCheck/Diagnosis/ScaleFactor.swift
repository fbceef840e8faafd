/// When a wrong gradient is read as a multiple of the right one: a tensor's ratio
/// ("dW2 is 2.000 times the numerical gradient", `TensorComparison`) and a backward step's
/// factor (`MistakeRecognition`).
enum ScaleFactor {
    /// How far from 1 a factor must be to be named as a scaling, and how close to -1 to be named
    /// a sign flip. The mistakes these name are O(1) factors (2, 1/m, 4, -1), far outside it;
    /// a least-squares factor between two estimates of the same values lands far inside it.
    static let tolerance = 1e-3

    /// `factor` is a scaling worth naming (NaN is not).
    static func differsFromOne(_ factor: Double) -> Bool { abs(factor - 1) > tolerance }

    /// `factor` is a sign flip.
    static func isMinusOne(_ factor: Double) -> Bool { abs(factor + 1) <= tolerance }
}
