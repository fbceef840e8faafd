/// The checks the classification losses share on their integer arguments.
enum LossLabels {
    /// `labels` has `shape` (as `because` explains) and holds classes in 0..<classes.
    static func check(_ name: String, _ labels: Tensor, shape: [Int], classes: Int, because reason: String) throws(LayerError) {
        guard labels.shape == shape else { throw LayerError.shapes(name, labels.shape, expected: shape, because: reason) }
        if let bad = labels.values.firstIndex(where: { !($0 >= 0 && $0 < Double(classes)) }) {
            throw LayerError(
                name, "entry \(labels.index(ofFlat: bad)) is \(labels.values[bad]): a label must be a class in 0..<\(classes)")
        }
    }
}
