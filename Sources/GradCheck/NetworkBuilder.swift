/// Builds a `Network` (and caller-supplied gradients) from named matrices, checking every shape
/// against its neighbours and against X and Y before any arithmetic runs.
///
/// The checks run in a fixed order (keys, emptiness, finiteness, shapes front to back) so that
/// the same bad input always produces the same error.
public enum NetworkBuilder {
    /// Turns nested rows into a `Matrix`, naming `key` when they are empty or ragged.
    public static func matrix(_ rows: [[Double]], key: String) throws(NetworkError) -> Matrix {
        guard let first = rows.first, !first.isEmpty else { throw .emptyMatrix(key: key) }
        for (index, row) in rows.enumerated() where row.count != first.count {
            throw .raggedMatrix(key: key, row: index, expected: first.count, found: row.count)
        }
        return Matrix(rows: rows.count, cols: first.count, values: rows.flatMap { $0 })
    }

    /// A network from `W1, b1, ..., WL, bL` (the names already read into `ParameterID`s, so only
    /// gaps and shapes are left to check), checked against X (n0 x m) and Y (nL x m).
    public static func network(
        parameters: [ParameterID: Matrix], inputs x: Matrix, labels y: Matrix,
        activation: Activation = .relu, output: OutputLayer = .sigmoid, lambd: Double = 0
    ) throws(NetworkError) -> Network {
        guard lambd.isFinite, lambd >= 0 else { throw .invalidLambd(lambd) }
        let depth = try layerCount(of: parameters.keys)
        try checkFiniteAndNonEmpty(x, key: "X")
        try checkFiniteAndNonEmpty(y, key: "Y")

        var layers: [Layer] = []
        var previousRows = x.rows
        var previousShape = x.shape
        for l in 1...depth {
            // The names are made only for an error: every request builds its network here.
            func wKey() -> String { "W\(l)" }
            func bKey() -> String { "b\(l)" }
            func previousKey() -> String { l == 1 ? "X" : "W\(l - 1)" }
            guard let w = parameters[ParameterID(layer: l, kind: .weight)] else { throw .missingKey(wKey()) }
            guard let b = parameters[ParameterID(layer: l, kind: .bias)] else { throw .missingKey(bKey()) }
            try checkFiniteAndNonEmpty(w, key: wKey())
            try checkFiniteAndNonEmpty(b, key: bKey())
            if w.cols != previousRows {
                // A transposed X is the likelier slip than a W1 of the wrong shape: say so.
                if l == 1 && (x.cols == w.cols || (x.rows == y.cols && x.cols != y.cols)) {
                    throw .transposedInput(shape: x.shape, weights: w.shape, examples: y.cols)
                }
                throw .shapeMismatch(
                    key: wKey(), shape: w.shape, expected: Shape(rows: w.rows, cols: previousRows),
                    otherKey: previousKey(), otherShape: previousShape)
            }
            if b.shape != Shape(rows: w.rows, cols: 1) {
                throw .shapeMismatch(
                    key: bKey(), shape: b.shape, expected: Shape(rows: w.rows, cols: 1),
                    otherKey: wKey(), otherShape: w.shape)
            }
            layers.append(Layer(weights: w, bias: b))
            previousRows = w.rows
            previousShape = w.shape
        }

        let outputWeights = layers[depth - 1].weights
        if output == .softmax && outputWeights.rows < 2 {
            throw .softmaxNeedsTwoOutputs(key: "W\(depth)", shape: outputWeights.shape)
        }
        let expectedLabels = Shape(rows: outputWeights.rows, cols: x.cols)
        if y.shape != expectedLabels {
            // Name the neighbour that disagrees: X for the example count, W_L for the unit count.
            let blameX = y.cols != x.cols
            throw .shapeMismatch(
                key: "Y", shape: y.shape, expected: expectedLabels,
                otherKey: blameX ? "X" : "W\(depth)", otherShape: blameX ? x.shape : outputWeights.shape)
        }
        return Network(layers: layers, activation: activation, output: output, lambd: lambd)
    }

    /// Caller-supplied gradients `dW1, db1, ...`, each checked against its parameter's shape.
    /// `examples`: m, for the hints that explain a wrong shape by the examples axis.
    public static func gradients(_ named: [GradientName: Matrix], for network: Network, examples: Int) throws(NetworkError) -> Gradients {
        // No gradient of a layer the network does not have. dZ_l and dA_l are read by
        // `intermediates(_:for:examples:)`.
        for name in named.keys.sorted() where name.layer > network.depth { throw .strayKey(name.name) }
        var tensors: [ParameterID: Matrix] = [:]
        for id in network.parameterIDs {
            guard let g = named[GradientName(id)] else { throw .missingKey(id.gradientName) }
            try checkFiniteAndNonEmpty(g, key: id.gradientName)
            let parameter = network[id]
            if g.shape != parameter.shape {
                throw .gradientShape(
                    key: id.gradientName, shape: g.shape, expected: parameter.shape, of: id.name,
                    hint: GradientShapeHint.hint(
                        for: GradientName(id), shape: g.shape, expected: parameter.shape, network: network,
                        examples: examples))
            }
            tensors[id] = g
        }
        return Gradients(tensors: tensors)
    }

    /// The intermediates among the caller's gradients: dZ_l (l = 1...L) shaped like Z_l, dA_l
    /// (l = 0...L-1) shaped like A_l (dA_0 like X), and dA_L for a sigmoid output; the course's
    /// `backward_propagation_n` returns these beside dW_l and db_l.
    public static func intermediates(
        _ named: [GradientName: Matrix], for network: Network,
        examples m: Int
    ) throws(NetworkError) -> IntermediateGradients {
        var result: IntermediateGradients = [:]
        let widths = [network.layers.first?.weights.cols ?? 0] + network.layers.map(\.weights.rows)
        for name in named.keys.sorted() where name.isIntermediate {
            let key = name.name
            let l = name.layer
            let lastActivation = network.output == .sigmoid ? network.depth : network.depth - 1
            guard l <= (name.kind == .activation ? lastActivation : network.depth) else { throw .strayKey(key) }
            let g = named[name]!
            try checkFiniteAndNonEmpty(g, key: key)
            let expected = Shape(rows: widths[l], cols: m)
            let of = name.kind == .activation ? (l == 0 ? "X" : "A\(l)") : "Z\(l)"
            if g.shape != expected {
                throw .gradientShape(
                    key: key, shape: g.shape, expected: expected, of: of,
                    hint: GradientShapeHint.hint(for: name, shape: g.shape, expected: expected, network: network, examples: m))
            }
            result[name] = g
        }
        return result
    }

    /// L from the tensors given: both W_l and b_l must exist for l = 1...L.
    private static func layerCount(of ids: Dictionary<ParameterID, Matrix>.Keys) throws(NetworkError) -> Int {
        // Without arrays: every request counts its layers here.
        var deepest: Int?
        for id in ids { deepest = max(deepest ?? id.layer, id.layer) }
        guard let depth = deepest else { throw .noParameters }
        for l in 1...depth {
            let weight = ParameterID(layer: l, kind: .weight)
            if !ids.contains(weight) { throw .missingKey(weight.name) }
            let bias = ParameterID(layer: l, kind: .bias)
            if !ids.contains(bias) { throw .missingKey(bias.name) }
        }
        return depth
    }

    private static func checkFiniteAndNonEmpty(_ m: Matrix, key: @autoclosure () -> String) throws(NetworkError) {
        guard m.rows > 0, m.cols > 0 else { throw .emptyMatrix(key: key()) }
        if let index = m.values.firstIndex(where: { !$0.isFinite }) {
            throw .nonFinite(key: key(), row: index / m.cols, col: index % m.cols)
        }
    }
}
