/// A layer's array arguments by their convention's names (`x`, `w`, `b`; `A_prev`, `W`, `b`).
public typealias LayerInputs = [String: Tensor]

/// One layer function of a course (CS231n's `conv_forward`/`conv_backward`, deeplearning.ai's
/// `conv_forward`/`conv_backward`, ...), as the checker sees it: named arrays in, outputs out, and
/// the backward that returns the gradient of `sum_k <upstream_k, output_k>` with respect to each
/// input that has a gradient. Hyper-parameters (stride, pad, eps, p and the dropout mask) are the
/// value's own stored properties, read once by `LayerCatalog`.
///
/// A loss (`softmax_loss`, ...) has no upstream: its one output is the loss, a scalar (shape `[]`),
/// and its backward is the loss's gradient (called with `upstream` empty).
public protocol LayerFunction: Sendable {
    /// The layer's array arguments in the order the course's function takes them.
    var inputNames: [String] { get }
    /// Arguments that hold integers (indices, labels, a mask): read, never perturbed, no gradient.
    var integerInputs: Set<String> { get }
    /// The argument a network feeds from the previous layer's first output (`x`); nil when the
    /// layer cannot follow another one.
    var dataInput: String? { get }
    /// The upstream gradients the backward takes, one per output, in output order (`dout`;
    /// `dnext_h`, `dnext_c`); empty for a loss.
    var upstreamNames: [String] { get }
    /// The gradients the backward returns, each with the argument it is the gradient of, in the
    /// order the course's backward returns them (`dx`, `dw`, `db`).
    var gradientInputs: [(gradient: String, input: String)] { get }

    /// Checks the arguments' shapes against each other and the hyper-parameters (every input is
    /// present: the catalog has checked names) and answers the outputs' shapes, one per upstream
    /// name (a loss: `[[]]`). An error names the argument (`x`, `w`) and both shapes.
    func outputShapes(_ inputs: LayerInputs) throws(LayerError) -> [[Int]]
    /// The outputs, one per upstream name (a loss: one scalar). Inputs have passed `outputShapes`.
    func forward(_ inputs: LayerInputs) -> [Tensor]
    /// The gradient of `sum_k <upstream[k], forward(inputs)[k]>` (a loss: of the loss) with
    /// respect to each argument of `gradientInputs`, by gradient name.
    func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor]

    /// About how many floating-point operations one forward pass takes (for pricing a check).
    func forwardOperations(_ inputs: LayerInputs) -> Double
    /// The outputs after entries `entries` of argument `name` moved by `deltas` (each entry's
    /// displaced value minus its original), given `inputs` (already displaced) and `cached`, the
    /// outputs at the undisplaced arguments (a network caches the first output only, the one it
    /// feeds on: a layer with several outputs keeps the default). A layer that knows which slice of
    /// its outputs such a coordinate reaches recomputes or updates only that slice (a conv weight
    /// of filter f: that filter's outputs) and says which entries of its first output changed, so
    /// that the next layer, displaced at those entries of its data input, can do the same; the
    /// default reruns `forward` (any entry may have changed). Equal to `forward(inputs)` up to
    /// rounding.
    func forward(_ inputs: LayerInputs, displacing name: String, entries: [Int], by deltas: [Double], from cached: [Tensor])
        -> DisplacedOutput
    /// About how many operations `forward(_:displacing:...)` takes for one entry of `name`.
    func displacedOperations(_ inputs: LayerInputs, displacing name: String) -> Double
    /// Groups of entries of an input whose gradients are only determined jointly at this point
    /// (a max-pool window with tied maxima: any split of the upstream among them is a subgradient
    /// of max, but the shares must sum to it): flat indices into the input, by input name.
    /// Entries within `resolution` of a tie count as tied: a check whose step is h asks with
    /// 2h, because its differences cannot tell values closer than that apart.
    func tiedGroups(_ inputs: LayerInputs, within resolution: Double) -> [String: [[Int]]]
    /// The classic mistakes of this layer's backward, each a replay that reproduces them.
    var slips: [LayerSlip] { get }
}

extension LayerFunction {
    public var integerInputs: Set<String> { [] }
    public var dataInput: String? { inputNames.first }
    public var upstreamNames: [String] { ["dout"] }
    public var isLoss: Bool { upstreamNames.isEmpty }
    public func tiedGroups(_ inputs: LayerInputs, within resolution: Double) -> [String: [[Int]]] { [:] }
    /// The exact ties (what a slip's replay asks about: an `x == max` mask).
    public func tiedGroups(_ inputs: LayerInputs) -> [String: [[Int]]] { tiedGroups(inputs, within: 0) }
    public var slips: [LayerSlip] { [] }

    public func forward(
        _ inputs: LayerInputs, displacing name: String, entries: [Int], by deltas: [Double], from cached: [Tensor]
    ) -> DisplacedOutput { DisplacedOutput(outputs: forward(inputs)) }

    public func displacedOperations(_ inputs: LayerInputs, displacing name: String) -> Double { forwardOperations(inputs) }

    /// Elementwise work by default: each input and output entry touched a few times.
    public func forwardOperations(_ inputs: LayerInputs) -> Double {
        4 * Double(inputs.values.reduce(0) { $0 + $1.count })
    }

    /// The inputs that are perturbed (every non-integer one, in argument order).
    public var realInputs: [String] { inputNames.filter { !integerInputs.contains($0) } }

    /// The gradient name of an input (`x` -> `dx`), if the backward returns one.
    public func gradientName(of input: String) -> String? {
        gradientInputs.first { $0.input == input }?.gradient
    }
}

/// What a displaced forward answers: the outputs and, when the layer knows them, the entries of
/// the first output that changed with their changes (new value minus cached), in the form the next
/// layer's displaced forward takes; `changed` nil when any entry may have changed.
public struct DisplacedOutput: Sendable {
    public var outputs: [Tensor]
    public var changed: [Int]?
    public var deltas: [Double]

    public init(outputs: [Tensor], changed: [Int]? = nil, deltas: [Double] = []) {
        self.outputs = outputs
        self.changed = changed
        self.deltas = deltas
    }

    /// `output` (the new first output) where only `entries` may differ from `cached`.
    public init(_ output: Tensor, changedAt entries: [Int], from cached: Tensor) {
        self.init(outputs: [output], changed: entries, deltas: entries.map { output.values[$0] - cached.values[$0] })
    }
}

/// A classic mistake in a layer's backward, as a replay: the backward written with the slip.
/// The diagnosis names it only when the replay reproduces the caller's gradient to within the
/// check's rounding floor, and the replay differs from the right gradient by more than that floor.
public struct LayerSlip: Sendable {
    public let kind: LayerSlipKind
    /// One sentence a student understands, about the gradient(s) it changes ("dw is rotated by
    /// 180 degrees: the cross-correlation's arguments are swapped").
    public let message: String
    /// The gradients with the slip, by gradient name: only those the slip changes; nil when the
    /// slip cannot happen at these inputs (no tied window, no repeated index, ...).
    public let replay: @Sendable (_ inputs: LayerInputs, _ upstream: [Tensor]) -> [String: Tensor]?

    public init(
        _ kind: LayerSlipKind, _ message: String,
        replay: @escaping @Sendable (_ inputs: LayerInputs, _ upstream: [Tensor]) -> [String: Tensor]?
    ) {
        self.kind = kind
        self.message = message
        self.replay = replay
    }
}
