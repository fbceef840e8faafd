/// The shape checks the recurrent layers share: each names the argument and both shapes.
enum RecurrentShapes {
    /// `inputs[name]` must have shape `expected`, which `reason` (the arguments it follows from)
    /// determines.
    static func expect(_ inputs: LayerInputs, _ name: String, _ expected: [Int], because reason: String) throws(LayerError) {
        let shape = inputs[name]!.shape
        guard shape == expected else { throw LayerError.shapes(name, shape, expected: expected, because: reason) }
    }
}
