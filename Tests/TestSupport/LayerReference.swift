import Foundation
import GradCheck

/// One numpy reference of a layer (Tests/Fixtures/layers/<name>.json, written by
/// dev/layer-references): its type, hyper-parameters, inputs, upstream, and what numpy computed.
public struct LayerReference: Sendable {
    public let name: String
    public let type: String
    public let convention: LayerConvention
    public let hyper: [String: HyperValue]
    public let inputs: LayerInputs
    public let upstream: [String: Tensor]
    public let outputs: [Tensor]
    public let gradients: [String: Tensor]

    /// Every reference file, sorted by name.
    public static func all() throws -> [LayerReference] {
        let folder = Fixtures.url("layers")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        return try files.map { try load(String($0.dropLast(5))) }
    }

    public static func load(_ name: String) throws -> LayerReference {
        let d = try Fixtures.json("layers/\(name).json")
        let hyper = (d["hyper"] as! [String: Any]).mapValues { value -> HyperValue in
            if let text = value as? String { return .text(text) }
            if let number = value as? NSNumber { return .number(number.doubleValue) }
            return .tensor(tensor(value))
        }
        return LayerReference(
            name: name, type: d["type"] as! String,
            convention: LayerConvention(rawValue: d["convention"] as! String)!,
            hyper: hyper,
            inputs: (d["inputs"] as! [String: Any]).mapValues(tensor),
            upstream: (d["upstream"] as! [String: Any]).mapValues(tensor),
            outputs: (d["outputs"] as! [Any]).map(tensor),
            gradients: (d["gradients"] as! [String: Any]).mapValues(tensor))
    }

    /// The layer function this reference describes, made through the catalog like a request's.
    public func layer() throws -> any LayerFunction {
        var reader = HyperReader(hyper, prefix: "layer.")
        return try LayerCatalog.make(type, convention: convention, hyper: &reader, field: "layer.type")
    }

    /// The upstream in the layer's order.
    public func orderedUpstream(_ layer: any LayerFunction) -> [Tensor] {
        layer.upstreamNames.map { upstream[$0]! }
    }

    /// A numpy `.tolist()` value of any rank (a bare number is a scalar).
    public static func tensor(_ value: Any) -> Tensor {
        if let number = value as? NSNumber { return Tensor(scalar: number.doubleValue) }
        var shape: [Int] = []
        var level: Any = value
        while let list = level as? [Any] {
            shape.append(list.count)
            guard let first = list.first else { break }
            level = first
        }
        var values: [Double] = []
        func flatten(_ v: Any) {
            if let list = v as? [Any] { list.forEach(flatten) } else { values.append((v as! NSNumber).doubleValue) }
        }
        flatten(value)
        return Tensor(shape: shape, values: values)
    }
}

/// max |a - b| / max(|b|) over the whole tensor: relative to the reference's scale, so entries
/// near zero do not blow it up.
public func relativeDifference(_ a: Tensor, _ b: Tensor) -> Double {
    precondition(a.shape == b.shape, "shapes \(a.shape) and \(b.shape)")
    let scale = max(b.values.map(abs).max() ?? 0, 1e-300)
    return (zip(a.values, b.values).map { abs($0 - $1) }.max() ?? 0) / scale
}
