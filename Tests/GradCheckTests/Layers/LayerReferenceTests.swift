import GradCheck
import TestSupport
import Testing

/// Every layer's forward and backward agree with the numpy reference written from the math
/// (Tests/Fixtures/layers, dev/layer-references) to 1e-12 relative.
@Suite struct LayerReferenceTests {
    static let references = (try? LayerReference.all()) ?? []

    @Test func referencesExist() {
        #expect(Self.references.count >= 5)
    }

    @Test(arguments: references.map(\.name))
    func forwardAndBackwardAgreeWithNumpy(_ name: String) throws {
        let reference = try LayerReference.load(name)
        let layer = try reference.layer()
        let shapes = try layer.outputShapes(reference.inputs)
        #expect(shapes == reference.outputs.map(\.shape), "\(name): output shapes")
        let outputs = layer.forward(reference.inputs)
        for (output, expected) in zip(outputs, reference.outputs) {
            let error = relativeDifference(output, expected)
            #expect(error <= 1e-12, "\(name): forward differs by \(error)")
        }
        let gradients = layer.backward(reference.inputs, upstream: reference.orderedUpstream(layer))
        #expect(Set(gradients.keys) == Set(layer.gradientInputs.map(\.gradient)), "\(name): gradient names")
        for (gradient, expected) in reference.gradients {
            let got = try #require(gradients[gradient], "\(name): no \(gradient)")
            #expect(got.shape == expected.shape, "\(name).\(gradient): shape")
            let error = relativeDifference(got, expected)
            #expect(error <= 1e-12, "\(name).\(gradient) differs by \(error)")
        }
    }
}
