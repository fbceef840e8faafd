import Testing

@testable import GradCheck

/// `only` patterns: `*`-globs compiled once and matched without backtracking, agreeing with a
/// plain recursive matcher on every small case.
@Suite struct TensorPatternTests {
    /// The textbook backtracking matcher, as the oracle (exponential in the worst case, fine here).
    static func reference(_ pattern: [UInt8], _ name: [UInt8]) -> Bool {
        guard let head = pattern.first else { return name.isEmpty }
        if head == UInt8(ascii: "*") {
            return (0...name.count).contains { reference(Array(pattern.dropFirst()), Array(name.dropFirst($0))) }
        }
        return name.first == head && reference(Array(pattern.dropFirst()), Array(name.dropFirst()))
    }

    @Test func agreesWithTheBacktrackingMatcherOnEverySmallCase() {
        let alphabet: [Character] = ["W", "1", "*"]
        var patterns = [""]
        for _ in 0..<5 { patterns += patterns.flatMap { p in alphabet.map { p + String($0) } } }
        let names = ["W1", "W11", "W111", "b1", "W", "1W1", "W1W1", "W2", "b12"]
        var compared = 0
        for pattern in Set(patterns) where !pattern.isEmpty {
            for name in names {
                #expect(
                    TensorPattern(pattern).matches(name) == Self.reference(Array(pattern.utf8), Array(name.utf8)),
                    "\(pattern) vs \(name)")
                compared += 1
            }
        }
        #expect(compared > 3000)
    }

    @Test func runsOfStarsAreOnePattern() {
        #expect(TensorPattern("W" + String(repeating: "*", count: 62) + "1") == TensorPattern("W*1"))
        #expect(TensorPattern("W*1").matches("W101") && !TensorPattern("W*1").matches("W10"))
    }

    @Test func repeatedPatternsAreMatchedOnceAndPricedOnce() throws {
        let layers = (0..<100).map { _ in Layer(weights: Matrix(rows: 1, cols: 1, values: [0.5]), bias: Matrix(rows: 1, cols: 1)) }
        let network = Network(layers: layers, activation: .tanh)
        let patterns = Array(repeating: "W" + String(repeating: "*", count: 62) + "1", count: 1000)
        let (selected, unmatched) = try #require(GradientCheckOptions.select(patterns, in: network))
        #expect(selected.count == 10 && unmatched.isEmpty)  // W1, W11, W21, ..., W91
        let once = GradientCheckOptions.selectionOperations([patterns[0]], tensors: 200)
        #expect(GradientCheckOptions.selectionOperations(patterns, tensors: 200) == once + 999)
        #expect(GradientCheckOptions.select(["*1*", "W9"], in: network, shouldStop: { true }) != nil)
        var polls = 0
        let stopped = GradientCheckOptions.select(
            (0..<100).map { "*\($0)*" }, in: network,
            shouldStop: {
                polls += 1
                return true
            })
        #expect(stopped == nil && polls == 1)
    }
}
