/// What max and average pooling share: x (N, C, H, W), windows `poolHeight` x `poolWidth` moved
/// by `stride`, the output's shape (`PoolGeometry`), and dx as their one gradient.
public protocol PoolingLayer: LayerFunction {
    var poolHeight: Int { get }
    var poolWidth: Int { get }
    var stride: Int { get }
    /// Whether an output size that is not whole is floored (deeplearning.ai) rather than refused.
    var floorsOutput: Bool { get }
}

extension PoolingLayer {
    public var inputNames: [String] { ["x"] }
    public var gradientInputs: [(gradient: String, input: String)] { [("dx", "x")] }

    func geometry(_ inputs: LayerInputs) -> PoolGeometry {
        PoolGeometry(x: inputs["x"]!.shape, poolHeight: poolHeight, poolWidth: poolWidth, stride: stride)
    }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        try PoolGeometry.check(inputs["x"]!, poolHeight: poolHeight, poolWidth: poolWidth, stride: stride, floors: floorsOutput)
        return [geometry(inputs).outputShape]
    }
}
