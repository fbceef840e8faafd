/// Batch, layer, spatial batch and group norm: x normalised per group of entries (its layout),
/// then scaled by gamma and shifted by beta per channel. Arguments x, gamma, beta; gradients dx,
/// dgamma, dbeta (dgamma and dbeta shaped like gamma and beta). The forward, the backward
/// (derived in `NormalizationKernel`) and the slips all four share live here; a layer adds its
/// shapes, its layout and its own wrong-axis slips.
public protocol NormalizationLayer: LayerFunction {
    var eps: Double { get }
    /// How x's entries group (x has passed `outputShapes`).
    func layout(_ x: Tensor) -> NormLayout
    /// What the statistics' count is called in messages: `N` (batch norm), `D` (layer norm).
    var groupSizeName: String { get }
    /// The layer's own slips: statistics, dgamma or dbeta over the wrong axes, gamma factored out.
    var ownSlips: [LayerSlip] { get }
    /// The variance's delta degrees of freedom: 0 divides by the group's size (CS231n's biased
    /// variance), 1 by the size minus one (makemore's unbiased `1/(n-1)`, torch's `var()`).
    var ddof: Int { get }
}

extension NormalizationLayer {
    public var ddof: Int { 0 }

    /// The right computation for this layer's `ddof`: every slip is this with one switch turned.
    var base: NormalizationKernel.Variant {
        var variant = NormalizationKernel.Variant()
        variant.forwardBessel = ddof == 1
        variant.backwardBessel = ddof == 1
        return variant
    }

    public var inputNames: [String] { ["x", "gamma", "beta"] }
    public var gradientInputs: [(gradient: String, input: String)] { [("dx", "x"), ("dgamma", "gamma"), ("dbeta", "beta")] }

    public func forward(_ inputs: LayerInputs) -> [Tensor] {
        let x = inputs["x"]!
        let out = NormalizationKernel.forward(
            x: x.values, gamma: inputs["gamma"]!.values, beta: inputs["beta"]!.values, layout: layout(x), eps: eps, variant: base)
        return [Tensor(shape: x.shape, values: out)]
    }

    public func backward(_ inputs: LayerInputs, upstream: [Tensor]) -> [String: Tensor] {
        normGradients(inputs, upstream)
    }

    /// Two passes over x for the statistics, one for the output, a square root per group.
    public func forwardOperations(_ inputs: LayerInputs) -> Double {
        let x = inputs["x"]!
        return 8 * Double(x.count) + 20 * Double(layout(x).groupCount)
    }

    /// The backward with `variant` over `layout` (the layer's own when nil), its gradients shaped
    /// like x, gamma and beta when the layout's channels fit them (else as a flat channel vector).
    func normGradients(
        _ inputs: LayerInputs, _ upstream: [Tensor], layout: NormLayout? = nil, variant: NormalizationKernel.Variant? = nil
    ) -> [String: Tensor] {
        let variant = variant ?? base
        let x = inputs["x"]!
        let gamma = inputs["gamma"]!
        let beta = inputs["beta"]!
        let layout = layout ?? self.layout(x)
        let (dx, dgamma, dbeta) = NormalizationKernel.backward(
            x: x.values, gamma: gamma.values, dout: upstream[0].values, layout: layout, eps: eps, variant: variant)
        return [
            "dx": Tensor(shape: x.shape, values: dx),
            "dgamma": Tensor(shape: dgamma.count == gamma.count ? gamma.shape : [dgamma.count], values: dgamma),
            "dbeta": Tensor(shape: dbeta.count == beta.count ? beta.shape : [dbeta.count], values: dbeta),
        ]
    }

    /// A slip replayed by the kernel: `changes` are the gradients it changes; nil when the
    /// groups are too small for it (`needs` entries per group), it is the right backward here
    /// (eps = 0), or an entry is not finite (eps missing over a constant group).
    func kernelSlip(
        _ kind: LayerSlipKind, _ message: String, changes: [String], needs: Int = 1, needsEps: Bool = false,
        layout: (@Sendable (Tensor) -> NormLayout?)? = nil, variant: NormalizationKernel.Variant? = nil
    ) -> LayerSlip {
        let variant = variant ?? base
        return LayerSlip(kind, message) { inputs, upstream in
            let x = inputs["x"]!
            var chosen = self.layout(x)
            if let layout {
                guard let other = layout(x) else { return nil }
                chosen = other
            }
            guard chosen.groupSize >= needs, !needsEps || eps > 0 else { return nil }
            let gradients = normGradients(inputs, upstream, layout: chosen, variant: variant).filter { changes.contains($0.key) }
            return gradients.values.allSatisfy { $0.values.allSatisfy(\.isFinite) } ? gradients : nil
        }
    }

    /// gamma factored out of dx's sums over a group (batch norm's one-liner reused), a slip where
    /// gamma varies within a group: `groupName` says over what the sums run; nil unless
    /// `channelsVary(x)` (a group spans more than one channel).
    func gammaFactoredOutSlip(over groupName: String, channelsVary: @escaping @Sendable (Tensor) -> Bool) -> LayerSlip {
        var variant = base
        variant.gammaFactoredOut = true
        return kernelSlip(
            .gammaFactoredOut,
            "dx has gamma factored out of the sums over \(groupName) (batch norm's one-line backward), but gamma varies within them: the sums must be of dout * gamma",
            changes: ["dx"], layout: { x in channelsVary(x) ? self.layout(x) : nil }, variant: variant)
    }

    /// Every axis of x must have entries: a group of none has no mean.
    func checkNotEmpty(_ x: Tensor) throws(LayerError) {
        guard x.count > 0 else { throw LayerError("x", "has shape \(x.shapeDescription): every axis needs at least one entry") }
    }

    /// gamma and beta must have `shape` (or `alternative`, the same channels with other axes of 1).
    func checkScaleAndShift(_ inputs: LayerInputs, shape: [Int], alternative: [Int], because reason: String) throws(LayerError) {
        for name in ["gamma", "beta"] {
            let tensor = inputs[name]!
            guard tensor.shape == shape || tensor.shape == alternative else {
                throw LayerError.shapes(name, tensor.shape, expected: shape, because: reason)
            }
        }
    }

    /// For an (N, D) x: dgamma and dbeta summed over axis 1 (one entry per example) instead of
    /// over the batch, axis 0: a gradient of shape (N,), each its own slip.
    var rowSumSlips: [LayerSlip] {
        [
            LayerSlip(.wrongAxis, "dgamma is summed over axis 1 (per example) instead of over the batch, axis 0") { inputs, upstream in
                let x = inputs["x"]!
                let (n, d) = (x.shape[0], x.shape[1])
                let xhat = NormalizationKernel.normalized(x.values, layout: layout(x), eps: eps, variant: base)
                let products = zip(upstream[0].values, xhat).map(*)
                return ["dgamma": Tensor(shape: [n], values: LayerMath.rowSums(products, m: n, n: d))]
            },
            LayerSlip(.wrongAxis, "dbeta is summed over axis 1 (per example) instead of over the batch, axis 0") { inputs, upstream in
                let x = inputs["x"]!
                let (n, d) = (x.shape[0], x.shape[1])
                return ["dbeta": Tensor(shape: [n], values: LayerMath.rowSums(upstream[0].values, m: n, n: d))]
            },
        ]
    }

    /// The slips every normalisation layer can make in its backward, each the right computation
    /// (`base`, for this layer's `ddof`) with one switch turned.
    public var slips: [LayerSlip] {
        let m = groupSizeName
        let base = self.base
        // The divisor the variance takes (`right`), and the other one a Bessel slip uses.
        let right = ddof == 1 ? "\(m) - 1" : m
        let other = ddof == 1 ? m : "\(m) - 1"
        let otherVariance = ddof == 1 ? "ddof=0, the biased variance" : "ddof=1, the unbiased variance"
        var allMissing = base
        allMissing.meanTerm = false
        allMissing.varianceTerm = false
        var noVariance = base
        noVariance.varianceTerm = false
        var noMean = base
        noMean.meanTerm = false
        var halfVariance = base
        halfVariance.varianceFactor = 0.5
        var doubleVariance = base
        doubleVariance.varianceFactor = 2
        var backwardBessel = base
        backwardBessel.backwardBessel.toggle()
        var forwardBessel = base
        forwardBessel.forwardBessel.toggle()
        // Every N of the backward written N - 1 (the term through the mean too).
        var everyNBessel = base
        everyNBessel.backwardBessel = true
        everyNBessel.meanBessel = true
        var bothBessel = forwardBessel
        bothBessel.backwardBessel.toggle()
        var epsMissing = base
        epsMissing.scale = .epsMissing
        var epsOutside = base
        epsOutside.scale = .epsOutside
        var epsOutsideExact = epsOutside
        epsOutsideExact.derivative = .epsOutside
        var epsMissingInDvar = base
        epsMissingInDvar.derivative = .epsMissing
        return [
            kernelSlip(
                .missingNormTerms, "dx is only gamma * dout / std: the terms through the mean and the variance are missing",
                changes: ["dx"], variant: allMissing),
            kernelSlip(
                .missingNormTerms, "dx is missing the term through the variance (std treated as a constant)",
                changes: ["dx"], needs: 2, variant: noVariance),
            kernelSlip(
                .missingNormTerms, "dx is missing the term through the mean (the mean treated as a constant)",
                changes: ["dx"], variant: noMean),
            kernelSlip(
                .scaled, "dx's term through the variance is half the right one: the 2 of d(x - mu)^2 is dropped",
                changes: ["dx"], needs: 2, variant: halfVariance),
            kernelSlip(
                .scaled, "dx's term through the variance is twice the right one: the 1/2 of d(var + eps)^(-1/2) is dropped",
                changes: ["dx"], needs: 2, variant: doubleVariance),
            kernelSlip(
                .besselMismatch,
                "dx's term through the variance divides by \(other) while the forward's variance divides by \(right) (a Bessel mismatch)",
                changes: ["dx"], needs: 2, variant: backwardBessel),
            kernelSlip(
                .besselMismatch,
                ddof == 1
                    ? "dx divides by \(m) - 1 in the term through the mean too; only the variance divides by \(m) - 1 (the mean divides by \(m))"
                    : "dx divides by \(m) - 1 where it divides by \(m), in the terms through the mean and the variance (the forward's variance divides by \(m))",
                changes: ["dx"], needs: 2, variant: everyNBessel),
            kernelSlip(
                .besselMismatch,
                "the forward's variance divides by \(other) (\(otherVariance)) while the backward's divides by \(right): dx and dgamma follow the wrong std",
                changes: ["dx", "dgamma"], needs: 2, variant: forwardBessel),
            kernelSlip(
                .besselMismatch,
                "the variance divides by \(other) (\(otherVariance)) in the forward and the backward; the normalisation's divides by \(right)",
                changes: ["dx", "dgamma"], needs: 2, variant: bothBessel),
            kernelSlip(
                .epsMisplaced, "eps is missing: std = sqrt(var) instead of sqrt(var + eps)", changes: ["dx", "dgamma"],
                needsEps: true, variant: epsMissing),
            kernelSlip(
                .epsMisplaced, "eps is outside the square root: std = sqrt(var) + eps instead of sqrt(var + eps)",
                changes: ["dx", "dgamma"], needsEps: true, variant: epsOutside),
            kernelSlip(
                .epsMisplaced,
                "eps is outside the square root: std = sqrt(var) + eps instead of sqrt(var + eps) (differentiated through sqrt(var))",
                changes: ["dx", "dgamma"], needsEps: true, variant: epsOutsideExact),
            kernelSlip(
                .epsMisplaced, "dx's term through the variance leaves eps out: dvar uses var^(-3/2) instead of (var + eps)^(-3/2)",
                changes: ["dx"], needs: 2, needsEps: true, variant: epsMissingInDvar),
        ] + ownSlips
    }
}
