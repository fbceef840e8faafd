import GradCheck
import Testing

/// Every malformed network description is a typed error naming the key(s) and both shapes.
@Suite struct NetworkBuilderTests {
    let x = Matrix(rows: 4, cols: 3, repeating: 0.5)
    let y = Matrix(rows: 1, cols: 3, repeating: 1)

    func parameters() -> [String: Matrix] {
        [
            "W1": Matrix(rows: 5, cols: 4, repeating: 0.1), "b1": Matrix(rows: 5, cols: 1),
            "W2": Matrix(rows: 3, cols: 5, repeating: 0.1), "b2": Matrix(rows: 3, cols: 1),
            "W3": Matrix(rows: 1, cols: 3, repeating: 0.1), "b3": Matrix(rows: 1, cols: 1),
        ]
    }

    /// The tensors by their parsed names, as the request reader hands them over.
    func typed(_ p: [String: Matrix]) -> [ParameterID: Matrix] {
        Dictionary(uniqueKeysWithValues: p.map { (ParameterID(name: $0.key)!, $0.value) })
    }

    func typedGradients(_ g: [String: Matrix]) -> [GradientName: Matrix] {
        Dictionary(uniqueKeysWithValues: g.map { (GradientName($0.key)!, $0.value) })
    }

    func error(_ p: [String: Matrix], x: Matrix? = nil, y: Matrix? = nil, output: OutputLayer = .sigmoid, lambd: Double = 0)
        -> NetworkError?
    {
        do {
            _ = try NetworkBuilder.network(parameters: typed(p), inputs: x ?? self.x, labels: y ?? self.y, output: output, lambd: lambd)
            return nil
        } catch { return error }
    }

    @Test func validDictionaryBuildsThreeLayers() throws {
        let network = try NetworkBuilder.network(parameters: typed(parameters()), inputs: x, labels: y, activation: .tanh)
        #expect(network.depth == 3 && network.activation == .tanh && network.parameterCount == 47)
    }

    @Test func singleLayerIsAllowed() throws {
        let network = try NetworkBuilder.network(
            parameters: typed(["W1": Matrix(rows: 1, cols: 4), "b1": Matrix(rows: 1, cols: 1)]), inputs: x, labels: y)
        #expect(network.depth == 1)
    }

    @Test func missingBias() {
        var p = parameters()
        p["b2"] = nil
        let e = error(p)
        #expect(e == .missingKey("b2"))
        #expect(e?.description == "missing key b2")
    }

    @Test func missingLayerInTheMiddle() {
        var p = parameters()
        p["W2"] = nil
        p["b2"] = nil
        #expect(error(p) == .missingKey("W2"))
    }

    @Test func noTensorsAtAll() {
        // Names that are not W<l>/b<l> (W0, gamma1) never get here: the request reader refuses
        // them by name (RequestReaderTests), and ParameterID cannot spell them.
        #expect(error([:]) == .noParameters)
        #expect(NetworkError.noParameters.description == "parameters is empty: expected W1, b1, ..., WL, bL")
    }

    @Test func weightColumnsMustMatchPreviousRows() {
        var p = parameters()
        p["W2"] = Matrix(rows: 3, cols: 4)
        let e = error(p)
        #expect(
            e
                == .shapeMismatch(
                    key: "W2", shape: Shape(rows: 3, cols: 4), expected: Shape(rows: 3, cols: 5),
                    otherKey: "W1", otherShape: Shape(rows: 5, cols: 4)))
        #expect(e?.description == "W2 has shape (3, 4) but W1 has shape (5, 4), so W2 must have shape (3, 5)")
    }

    @Test func transposedXIsNamedInsteadOfAskingToReshapeW1() {
        let e = error(parameters(), x: Matrix(rows: 3, cols: 4, repeating: 0.5))
        #expect(e == .transposedInput(shape: Shape(rows: 3, cols: 4), weights: Shape(rows: 5, cols: 4), examples: 3))
        #expect(e?.key == "X")
        let text = e?.description ?? ""
        #expect(text.contains("X may be transposed: X.T has the shape W1 expects, (4, 3)"))
        #expect(!text.contains("W1 must have shape"))
    }

    @Test func xWithOneRowPerExampleIsNamedEvenWhenItsTransposeDoesNotFitW1() {
        // 3 examples as rows, 6 features: Y has 3 columns, X.T is (6, 3), W1 wants 4 rows.
        let e = error(parameters(), x: Matrix(rows: 3, cols: 6, repeating: 0.5))
        #expect(e == .transposedInput(shape: Shape(rows: 3, cols: 6), weights: Shape(rows: 5, cols: 4), examples: 3))
        #expect(e?.description.contains("X may be transposed: it has one row per example (Y has 3 columns)") == true)
    }

    @Test func firstWeightMustMatchX() {
        let e = error(parameters(), x: Matrix(rows: 2, cols: 3))
        #expect(e?.description == "W1 has shape (5, 4) but X has shape (2, 3), so W1 must have shape (5, 2)")
    }

    @Test func biasShape() {
        var p = parameters()
        p["b1"] = Matrix(rows: 1, cols: 5)
        #expect(error(p)?.description == "b1 has shape (1, 5) but W1 has shape (5, 4), so b1 must have shape (5, 1)")
    }

    @Test func labelsWithWrongExampleCount() {
        let e = error(parameters(), y: Matrix(rows: 1, cols: 2))
        #expect(e?.description == "Y has shape (1, 2) but X has shape (4, 3), so Y must have shape (1, 3)")
    }

    @Test func labelsWithWrongUnitCount() {
        let e = error(parameters(), y: Matrix(rows: 2, cols: 3))
        #expect(e?.description == "Y has shape (2, 3) but W3 has shape (1, 3), so Y must have shape (1, 3)")
    }

    @Test func emptyAndRaggedMatrices() {
        var p = parameters()
        p["W3"] = Matrix(rows: 0, cols: 0)
        #expect(error(p) == .emptyMatrix(key: "W3"))
        #expect(error(parameters(), x: Matrix(rows: 4, cols: 0)) == .emptyMatrix(key: "X"))
        #expect(throws: NetworkError.emptyMatrix(key: "W1")) { try NetworkBuilder.matrix([], key: "W1") }
        #expect(throws: NetworkError.emptyMatrix(key: "W1")) { try NetworkBuilder.matrix([[]], key: "W1") }
        #expect(throws: NetworkError.raggedMatrix(key: "W2", row: 1, expected: 2, found: 1)) {
            try NetworkBuilder.matrix([[1, 2], [3]], key: "W2")
        }
        #expect(
            NetworkError.raggedMatrix(key: "W2", row: 1, expected: 2, found: 1).description
                == "W2 is ragged: row 1 has 1 entry, row 0 has 2")
    }

    @Test func nonFiniteValuesAndLambd() {
        var p = parameters()
        p["W2"]![1, 2] = .nan
        #expect(error(p) == .nonFinite(key: "W2", row: 1, col: 2))
        var bad = x
        bad[3, 0] = .infinity
        #expect(error(parameters(), x: bad)?.description == "X[3][0] is not a finite number")
        #expect(error(parameters(), lambd: -1) == .invalidLambd(-1))
        #expect(error(parameters(), lambd: .nan) != nil)
    }

    @Test func softmaxNeedsTwoOutputUnits() {
        #expect(error(parameters(), output: .softmax) == .softmaxNeedsTwoOutputs(key: "W3", shape: Shape(rows: 1, cols: 3)))
    }

    @Test func callerGradients() throws {
        let network = try NetworkBuilder.network(parameters: typed(parameters()), inputs: x, labels: y)
        var g = Dictionary(uniqueKeysWithValues: parameters().map { ("d" + $0.key, $0.value) })
        #expect(try NetworkBuilder.gradients(typedGradients(g), for: network, examples: x.cols).tensors.count == 6)
        g["dW4"] = Matrix(rows: 1, cols: 1)
        #expect(throws: NetworkError.strayKey("dW4")) { try NetworkBuilder.gradients(typedGradients(g), for: network, examples: x.cols) }
        g["dW4"] = nil
        g["db3"] = nil
        #expect(throws: NetworkError.missingKey("db3")) { try NetworkBuilder.gradients(typedGradients(g), for: network, examples: x.cols) }
        g["db3"] = Matrix(rows: 1, cols: 1)
        g["dW1"] = Matrix(rows: 4, cols: 5)
        let e = #expect(throws: NetworkError.self) { try NetworkBuilder.gradients(typedGradients(g), for: network, examples: x.cols) }
        #expect(
            e?.description
                == "dW1 has shape (4, 5) but W1 has shape (5, 4), so dW1 must have shape (5, 4): (4, 5) is the transpose of (5, 4): dW1 = np.dot(dZ1, X.T) / m gives (5, 4); check the order of the product and its transposes"
        )
        g["dW1"] = Matrix(rows: 5, cols: 4, repeating: .nan)
        #expect(throws: NetworkError.nonFinite(key: "dW1", row: 0, col: 0)) {
            try NetworkBuilder.gradients(typedGradients(g), for: network, examples: x.cols)
        }
    }
}
