/// What CS231n's `softmax_loss` and `svm_loss` share: x (N, C) scores and y (N) integer class
/// labels in, one scalar loss out (no upstream), dx as the one gradient.
public protocol ClassificationLoss: LayerFunction {}

extension ClassificationLoss {
    public var inputNames: [String] { ["x", "y"] }
    public var integerInputs: Set<String> { ["y"] }
    public var upstreamNames: [String] { [] }
    public var gradientInputs: [(gradient: String, input: String)] { [("dx", "x")] }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        let x = inputs["x"]!
        guard x.rank == 2 else { throw LayerError("x", "has shape \(x.shapeDescription); expected (N, C) scores") }
        try LossLabels.check("y", inputs["y"]!, shape: [x.shape[0]], classes: x.shape[1], because: "x \(x.shapeDescription) (N, C)")
        return [[]]
    }
}
