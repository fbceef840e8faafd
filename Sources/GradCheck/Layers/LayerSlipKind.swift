/// The kinds of slip a layer's diagnosis names (`root_causes[].kind` in a layer or network
/// check). The OpenAPI document lists these raw values; a test holds it to this list.
public enum LayerSlipKind: String, Sendable, CaseIterable {
    /// A constant factor: an extra or missing 1/N, 1/p, the window's area, a stray 2.
    case scaled
    case signFlipped = "sign_flipped"
    /// The product taken in the wrong order: the transpose of the right value.
    case transposed
    /// Summed (or normalised) over the wrong axis or axes.
    case wrongAxis = "wrong_axis"
    /// conv: dw rotated by 180 degrees (the cross-correlation's arguments swapped).
    case flippedKernel = "flipped_kernel"
    /// conv: the padding not removed from dx, or removed on one side only.
    case paddingNotRemoved = "padding_not_removed"
    /// conv/pool: the stride ignored in the backward.
    case strideIgnored = "stride_ignored"
    /// conv: dw accumulated from the unpadded input.
    case unpaddedInput = "unpadded_input"
    /// max pool: the upstream sent to every tied maximum of a window instead of one share.
    case everyMaximum = "every_maximum"
    /// `=` where `+=` belongs: overlapping windows, repeated indices, steps of time.
    case overwritten
    /// batch/layer/group norm: dx without the mean and variance terms (only gamma * dout / std).
    case missingNormTerms = "missing_norm_terms"
    /// batch/layer/group norm: the variance with N - 1 (a Bessel mismatch).
    case besselMismatch = "bessel_mismatch"
    /// batch/layer/group norm: eps missing or outside the square root.
    case epsMisplaced = "eps_misplaced"
    /// layer/group norm: gamma factored out of the backward's sums over a group, where it varies
    /// within the group (batch norm's one-line backward, whose gamma is constant per group, reused).
    case gammaFactoredOut = "gamma_factored_out"
    /// dropout: the mask not applied.
    case maskNotApplied = "mask_not_applied"
    /// dropout: keep and drop probability swapped (scaled by 1/(1 - p)).
    case keepDropSwapped = "keep_drop_swapped"
    /// rnn/lstm: the upstream dh[:, t] not added to the gradient carried from step t + 1.
    case upstreamNotAdded = "upstream_not_added"
    /// An activation's derivative taken from the wrong value (tanh' from the pre-activation, a
    /// gate's sigmoid' from its input).
    case wrongActivationDerivative = "wrong_activation_derivative"
    /// lstm: the gates' slices of dWx/dWh/db in the wrong order.
    case gateOrder = "gate_order"
    /// lstm: dc missing the path through o * tanh'(c), or dprev_c missing the forget gate.
    case missingPath = "missing_path"
    /// temporal softmax: the mask ignored.
    case maskIgnored = "mask_ignored"
    /// network: dw lacks the L2 term reg * w (the loss has 0.5 * reg * sum(w**2)).
    case missingL2 = "missing_l2"
    /// Everything zero.
    case zero
    /// A few entries are wrong, with no known slip: `entries`.
    case wrongEntries = "wrong_entries"
    /// Wrong, and no known slip reproduces it.
    case unexplained
}
