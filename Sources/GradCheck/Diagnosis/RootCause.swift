/// One step of the caller's backward pass that is wrong while everything it is computed from is
/// right: the line to fix.
public struct RootCause: Sendable, Equatable {
    /// What kind of mistake reproduces the caller's values (each recognised only when it
    /// explains them to rounding).
    public enum Kind: String, Sendable, CaseIterable {
        /// A constant factor (1/m missing or applied twice, a stray 2, ...): `factor`.
        case scaled
        case signFlipped = "sign_flipped"
        case zero
        /// The transpose of the right value (square tensors).
        case transposed
        /// dW lacks the L2 term lambd/m * W.
        case missingL2 = "missing_l2"
        /// The L2 term has a wrong factor (lambd/(2m) gives `factor` 0.5).
        case l2Scaled = "l2_scaled"
        /// db carries lambd/m * b (L2 applies to weights only).
        case l2OnBias = "l2_on_bias"
        /// db summed (or averaged) over every axis instead of the examples only: one number in
        /// every entry.
        case wrongAxis = "wrong_axis"
        /// A step reads another layer's tensor (A_k for A_{l-1}, W_k for W_l, Z_k for Z_l)
        /// where the shapes happen to fit: the message says which.
        case wrongLayer = "wrong_layer"
        /// dZ_l is dA_l times something other than g'(Z_l) (or dZ_L carries the output's
        /// derivative twice): the message says what.
        case wrongActivationDerivative = "wrong_activation_derivative"
        /// A few entries are wrong, with no pattern: `entries`.
        case wrongEntries = "wrong_entries"
        case unexplained
    }

    public let gradient: GradientName
    public let kind: Kind
    /// The factor, for `scaled`, `sign_flipped` (-1) and `l2_scaled`.
    public let factor: Double?
    /// The wrong entries, for `wrong_entries` (at most `RootCause.listedEntries`).
    public let entries: [EntryIndex]
    /// One sentence a student can act on, naming the gradient and the step.
    public let message: String
    /// The caller did not send this gradient: it is where the mistake must be, from the ones
    /// they did send.
    public let inferred: Bool

    public var layer: Int { gradient.layer }

    /// Wrong entries listed at most.
    public static let listedEntries = 20
}

/// What the caller's whole backward pass gets wrong: the first wrong steps and what they spoil.
public struct BackwardDiagnosis: Sendable, Equatable {
    /// The convention the caller's intermediates follow (nil when none were sent).
    public let convention: GradientConvention?
    public let rootCauses: [RootCause]
    /// Gradients the caller sent that are wrong only because something they are computed from is.
    public let propagated: [GradientName]

    public static let none = BackwardDiagnosis(convention: nil, rootCauses: [], propagated: [])
}
