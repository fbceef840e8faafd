import Foundation

/// The two right ways to write a backward pass. dW and db are the same in both (the gradient of
/// the mean cost); the intermediates dZ and dA differ by a factor m:
/// - `sum` (the course's): dZ_L = A_L - Y, dW = dZ A^T / m, db = sum(dZ) / m: the intermediates
///   are gradients of the summed loss;
/// - `mean` (CS231n's): dZ_L = (A_L - Y) / m, dW = dZ A^T, db = sum(dZ): the intermediates are
///   gradients of the mean loss.
/// Intermediates never include the L2 term, which only enters dW.
public enum GradientConvention: String, Sendable, CaseIterable {
    case sum
    case mean

    /// What this convention's intermediates are, in units of the mean loss's gradient.
    public func intermediateScale(examples m: Int) -> Double {
        self == .sum ? Double(m) : 1
    }

    /// dW = dZ A^T / divisor and db = sum(dZ) / divisor in this convention.
    public func parameterDivisor(examples m: Int) -> Double {
        self == .sum ? Double(m) : 1
    }

    /// The convention the caller's intermediates follow: each one votes for the convention whose
    /// reference it matches best (the least-squares ratio caller / mean-reference nearest 1 or
    /// m on a log scale); nil when no intermediate was sent. With m = 1 both are the same and
    /// `sum` (the course's) is reported.
    static func detect(caller: IntermediateGradients, meanReference: IntermediateGradients, examples m: Int) -> GradientConvention? {
        guard !caller.isEmpty else { return nil }
        guard m > 1 else { return .sum }
        var votes: [GradientConvention: Int] = [:]
        for (name, value) in caller {
            guard let reference = meanReference[name] else { continue }
            var dot = 0.0
            var squares = 0.0
            for i in 0..<min(value.count, reference.count) {
                dot += value.values[i] * reference.values[i]
                squares += reference.values[i] * reference.values[i]
            }
            guard squares > 0, dot != 0, dot.isFinite else { continue }
            let ratio = abs(dot / squares)
            let toMean = abs(log(ratio))
            let toSum = abs(log(ratio / Double(m)))
            votes[toSum <= toMean ? .sum : .mean, default: 0] += 1
        }
        return (votes[.mean] ?? 0) > (votes[.sum] ?? 0) ? .mean : .sum
    }
}
