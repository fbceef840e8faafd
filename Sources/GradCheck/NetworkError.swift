/// Everything that can be wrong with a network description (parameters, X, Y, lambd) or with
/// caller-supplied gradients. Each message names the key(s) involved and, for shapes, both
/// shapes in numpy's notation, so a 4xx answer tells the caller exactly what to fix.
public enum NetworkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No `W1` / `b1` ... keys at all.
    case noParameters
    /// A key that is not `W<l>` / `b<l>` (or `dW<l>` / `db<l>` for gradients), or a layer beyond L.
    case strayKey(String)
    /// A key the network needs, e.g. `b2` when `W2` is present.
    case missingKey(String)
    /// A matrix with no rows or no columns.
    case emptyMatrix(key: String)
    /// Row `row` of `key` has `found` entries where the first row has `expected`.
    case raggedMatrix(key: String, row: Int, expected: Int, found: Int)
    /// `key` has shape `shape`, but `otherKey` (shape `otherShape`) requires `expected`.
    case shapeMismatch(key: String, shape: Shape, expected: Shape, otherKey: String, otherShape: Shape)
    /// X (shape `shape`) does not fit W1 (`weights`), and it looks transposed: X.T has the
    /// columns W1 expects, or X has one row per example (`examples`: Y's columns) where the
    /// notebook's X has one column per example.
    case transposedInput(shape: Shape, weights: Shape, examples: Int)
    /// A caller's gradient `key` has shape `shape` where `of` (and so the gradient) has `expected`;
    /// `hint` names the slip that produces that shape, when one does (`GradientShapeHint`).
    case gradientShape(key: String, shape: Shape, expected: Shape, of: String, hint: String?)
    /// An entry of `key` is NaN or infinite.
    case nonFinite(key: String, row: Int, col: Int)
    /// lambd must be finite and >= 0.
    case invalidLambd(Double)
    /// Softmax over a single unit is constant; it needs n_L >= 2 output rows.
    case softmaxNeedsTwoOutputs(key: String, shape: Shape)

    public var description: String {
        switch self {
        case .noParameters:
            return "parameters is empty: expected W1, b1, ..., WL, bL"
        case .strayKey(let key):
            return "unexpected key \(key): expected only W1, b1, ..., WL, bL (dW1, db1, ... for gradients) with no gaps"
        case .missingKey(let key):
            return "missing key \(key)"
        case .emptyMatrix(let key):
            return "\(key) is empty: every matrix needs at least one row and one column"
        case let .raggedMatrix(key, row, expected, found):
            return "\(key) is ragged: row \(row) has \(found) \(found == 1 ? "entry" : "entries"), row 0 has \(expected)"
        case let .shapeMismatch(key, shape, expected, otherKey, otherShape):
            return "\(key) has shape \(shape) but \(otherKey) has shape \(otherShape), so \(key) must have shape \(expected)"
        case let .transposedInput(shape, weights, examples):
            let transposed = Shape(rows: shape.cols, cols: shape.rows)
            if transposed.rows == weights.cols {
                return "X has shape \(shape) but W1 has shape \(weights): X may be transposed: X.T has the shape W1 expects, "
                    + "\(transposed), with one column per example; pass X.T (the notebook's X is features x examples)"
            }
            return "X has shape \(shape) but W1 has shape \(weights): X may be transposed: it has one row per example (Y has "
                + "\(examples) columns) where the notebook's X has one column per example; X.T has shape \(transposed), "
                + "and W1 needs \(weights.cols) rows"
        case let .gradientShape(key, shape, expected, of, hint):
            return "\(key) has shape \(shape) but \(of) has shape \(expected), so \(key) must have shape \(expected)"
                + (hint.map { ": \($0)" } ?? "")
        case let .nonFinite(key, row, col):
            return "\(key)[\(row)][\(col)] is not a finite number"
        case .invalidLambd(let value):
            return "lambd must be a finite number >= 0, got \(value)"
        case let .softmaxNeedsTwoOutputs(key, shape):
            return "softmax output needs at least 2 output units, but \(key) has shape \(shape)"
        }
    }

    /// The key the error is about first (`W2`, `db1`, `X`), for a client that wants to point at
    /// the field; nil when no single key is to blame.
    public var key: String? {
        switch self {
        case .noParameters, .invalidLambd: return nil
        case let .strayKey(key), let .missingKey(key), let .emptyMatrix(key): return key
        case let .raggedMatrix(key, _, _, _), let .nonFinite(key, _, _): return key
        case let .shapeMismatch(key, _, _, _, _), let .softmaxNeedsTwoOutputs(key, _): return key
        case let .gradientShape(key, _, _, _, _): return key
        case .transposedInput: return "X"
        }
    }
}
