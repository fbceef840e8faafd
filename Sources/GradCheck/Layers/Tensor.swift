/// A dense row-major array of Doubles with any number of dimensions: the layers' container.
///
/// Row-major matches numpy's `.tolist()` nesting at every rank, so a JSON array of arrays maps
/// onto `values` without reordering. A shape of `[]` is a scalar (one value), the shape a loss has.
public struct Tensor: Sendable, Equatable {
    public let shape: [Int]
    public var values: [Double]

    public init(shape: [Int], values: [Double]) {
        precondition(shape.allSatisfy { $0 >= 0 } && values.count == Tensor.count(of: shape), "Tensor storage does not match its shape")
        self.shape = shape
        self.values = values
    }

    public init(zeros shape: [Int]) {
        self.init(shape: shape, values: Array(repeating: 0, count: Tensor.count(of: shape)))
    }

    public init(scalar: Double) {
        self.init(shape: [], values: [scalar])
    }

    public static func count(of shape: [Int]) -> Int { shape.reduce(1, *) }

    public var count: Int { values.count }
    public var rank: Int { shape.count }

    /// Elements between consecutive entries of each dimension (the last dimension's is 1).
    public var strides: [Int] {
        var strides = Array(repeating: 1, count: shape.count)
        var step = 1
        for axis in shape.indices.reversed() {
            strides[axis] = step
            step *= shape[axis]
        }
        return strides
    }

    /// The multi-dimensional index of flat position `flat` (`[n, c, h, w]` for NCHW).
    public func index(ofFlat flat: Int) -> [Int] {
        var rest = flat
        var index = Array(repeating: 0, count: shape.count)
        for axis in shape.indices.reversed() where shape[axis] > 0 {
            index[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return index
    }

    /// `(2, 3, 4)`, numpy's way of printing a shape.
    public static func describe(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    public var shapeDescription: String { Tensor.describe(shape) }

    /// The same values under another shape of the same size (numpy's `reshape`).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, values: values)
    }

    /// The axes permuted (numpy's `transpose(axes)`): result axis k is this tensor's axis `axes[k]`.
    public func transposed(_ axes: [Int]) -> Tensor {
        precondition(axes.sorted() == Array(shape.indices), "transpose axes must be a permutation")
        let newShape = axes.map { shape[$0] }
        let source = strides
        let sourceStrides = axes.map { source[$0] }
        var result = [Double](repeating: 0, count: values.count)
        var index = Array(repeating: 0, count: newShape.count)
        for flat in 0..<values.count {
            var offset = 0
            for k in index.indices { offset += index[k] * sourceStrides[k] }
            result[flat] = values[offset]
            var axis = newShape.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < newShape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return Tensor(shape: newShape, values: result)
    }

    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        precondition(lhs.shape == rhs.shape)
        return Tensor(shape: lhs.shape, values: zip(lhs.values, rhs.values).map(+))
    }

    public static func * (scale: Double, tensor: Tensor) -> Tensor {
        Tensor(shape: tensor.shape, values: tensor.values.map { scale * $0 })
    }
}
