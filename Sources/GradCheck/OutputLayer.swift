import Foundation

/// The output layer and its loss, both computed from the logits Z_L (never from the rounded
/// probabilities), so a saturated output gives a finite cost.
public enum OutputLayer: String, Sendable, CaseIterable {
    /// Sigmoid with binary cross-entropy; Y holds 0/1 labels, one row per output unit.
    case sigmoid
    /// Softmax over the rows of each column with categorical cross-entropy; Y is one-hot.
    case softmax

    /// The output activations A_L for logits `z` (nL x m).
    public func probabilities(_ z: Matrix) -> Matrix {
        switch self {
        case .sigmoid:
            return Matrix(rows: z.rows, cols: z.cols, values: z.values.map(logistic))
        case .softmax:
            var out = z
            for col in 0..<z.cols {
                var maxLogit = -Double.infinity
                for r in 0..<z.rows { maxLogit = max(maxLogit, z[r, col]) }
                var total = 0.0
                for r in 0..<z.rows {
                    let e = exp(z[r, col] - maxLogit)
                    out[r, col] = e
                    total += e
                }
                for r in 0..<z.rows { out[r, col] /= total }
            }
            return out
        }
    }

    /// The loss of example `col` (not divided by m).
    public func exampleLoss(logits z: Matrix, labels y: Matrix, column col: Int) -> Double {
        switch self {
        case .sigmoid:
            // -y log s(z) - (1-y) log(1 - s(z)) = softplus(z) - y z
            var loss = 0.0
            for r in 0..<z.rows {
                let zr = z[r, col]
                loss += softplus(zr) - y[r, col] * zr
            }
            return loss
        case .softmax:
            // -sum y log softmax(z) = sum(y) * logsumexp(z) - sum y z
            var maxLogit = -Double.infinity
            for r in 0..<z.rows { maxLogit = max(maxLogit, z[r, col]) }
            var total = 0.0
            var labelSum = 0.0
            var labelDotLogits = 0.0
            for r in 0..<z.rows {
                total += exp(z[r, col] - maxLogit)
                labelSum += y[r, col]
                labelDotLogits += y[r, col] * z[r, col]
            }
            return labelSum * (maxLogit + log(total)) - labelDotLogits
        }
    }

    /// dLoss/dZ_L per example, the start of backward (not divided by m): A_L - Y for sigmoid;
    /// sum(y) * A_L - Y for softmax, which is A_L - Y for one-hot labels.
    public func logitGradient(probabilities a: Matrix, labels y: Matrix) -> Matrix {
        var out = a
        switch self {
        case .sigmoid:
            for i in 0..<out.count { out.values[i] -= y.values[i] }
        case .softmax:
            for col in 0..<out.cols {
                var labelSum = 0.0
                for r in 0..<out.rows { labelSum += y[r, col] }
                for r in 0..<out.rows { out[r, col] = labelSum * a[r, col] - y[r, col] }
            }
        }
        return out
    }
}
