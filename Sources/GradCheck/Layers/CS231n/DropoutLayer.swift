/// CS231n's `dropout_forward`/`dropout_backward` in train mode with the mask the forward drew
/// given: hyper-parameters `p` (the **keep** probability, in (0, 1]) and `mask` (0/1, x's shape);
/// out = x * mask / p (inverted dropout).
///
/// Derivation: out is linear in x entry by entry, so dx = dout * mask / p.
public struct DropoutLayer: LayerFunction {
    public let p: Double
    public let mask: Tensor
    /// Where the mask sits in the request (`layer.mask`): shape errors name it.
    public let maskField: String

    public init(p: Double, mask: Tensor, maskField: String = "layer.mask") {
        self.p = p
        self.mask = mask
        self.maskField = maskField
    }

    /// Reads `p` and `mask` (0 and 1 only), as the catalog does.
    public static func make(_ hyper: inout HyperReader) throws(LayerError) -> DropoutLayer {
        let p = try hyper.number("p", default: nil, above: 0, atMost: 1)
        let mask = try hyper.tensor("mask", required: true)!
        let field = hyper.prefix + "mask"
        if let bad = mask.values.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw LayerError(
                field, "must hold only 0 and 1 (the forward's keep mask); entry \(mask.index(ofFlat: bad)) is \(mask.values[bad])")
        }
        return DropoutLayer(p: p, mask: mask, maskField: field)
    }

    public var inputNames: [String] { ["x"] }
    public var gradientInputs: [(gradient: String, input: String)] { [("dx", "x")] }

    public func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]] {
        let x = inputs["x"]!
        guard mask.shape == x.shape else {
            throw LayerError.shapes(maskField, mask.shape, expected: x.shape, because: "x \(x.shapeDescription)")
        }
        return [x.shape]
    }

    /// values * mask * scale entry by entry.
    func masked(_ values: [Double], scale: Double) -> [Double] {
        var result = values
        for index in result.indices { result[index] *= mask.values[index] * scale }
        return result
    }

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        let x = inputs["x"]!
        return [Tensor(shape: x.shape, values: masked(x.values, scale: 1 / p))]
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        ["dx": Tensor(shape: mask.shape, values: masked(upstream[0].values, scale: 1 / p))]
    }

    public var slips: [LayerSlip] {
        [
            LayerSlip(.maskNotApplied, "dx is dout / p without the mask: dropped units get a gradient") { _, upstream in
                mask.values.allSatisfy { $0 == 1 } ? nil : ["dx": Tensor(shape: mask.shape, values: upstream[0].values.map { $0 / p })]
            },
            LayerSlip(.scaled, "dx is missing the 1/p scale (dout * mask): the forward's inverted-dropout scale is not undone") {
                _, upstream in
                p == 1 ? nil : ["dx": Tensor(shape: mask.shape, values: masked(upstream[0].values, scale: 1))]
            },
            LayerSlip(.scaled, "dx applies the 1/p scale twice (dout * mask / p^2)") { _, upstream in
                p == 1 ? nil : ["dx": Tensor(shape: mask.shape, values: masked(upstream[0].values, scale: 1 / (p * p)))]
            },
            LayerSlip(.keepDropSwapped, "dx is scaled by 1/(1 - p): p is CS231n's keep probability, not the drop probability") {
                _, upstream in
                p == 1 || p == 0.5 ? nil : ["dx": Tensor(shape: mask.shape, values: masked(upstream[0].values, scale: 1 / (1 - p)))]
            },
        ]
    }
}
