extension FastEngine {
    /// Roughly how many floating-point operations `derivatives` spends on `coordinates` coordinates
    /// of tensor `parameter` (call once per tensor and add, plus `setupOperations` once per call).
    /// Measured on the project's 2-core machine the engine does about 2.5e9 of these per second
    /// per core (1024-512-256-1, m = 512, full central check: 1.0e10 operations in 2.1 s).
    ///
    /// A work budget built on "two forward passes per coordinate" overestimates this engine by
    /// 100-10,000x for ReLU networks; use this instead.
    public static func estimatedOperations(of network: Network, examples m: Int, parameter: ParameterID,
                                           coordinates: Int, method: DifferenceMethod) -> Double {
        let widths = [network.layers.first?.weights.cols ?? 0] + network.layers.map(\.weights.rows)
        let depth = network.depth
        let nL = Double(widths[depth])
        let l = parameter.layer
        let examples = Double(m)
        // Per example and coordinate: the loss change's expm1/log1p series and compensated sum.
        var perCoordinate = 30 * examples * nL
        if method == .central && !network.activation.hasKinks && l < depth {
            // Smooth activations: the change goes layer by layer, through every later layer.
            var layerByLayer = 20.0 * Double(widths[l + 1])
            for k in (l + 1)..<depth { layerByLayer += 2 * Double(widths[k + 1] * widths[k]) }
            perCoordinate += 2 * examples * layerByLayer
        }
        return perCoordinate * Double(coordinates)
    }

    /// The fixed part of a `derivatives` call: the forward pass, nL passes back for the logit
    /// sensitivities and the kink bounds.
    public static func setupOperations(of network: Network, examples m: Int) -> Double {
        let widths = [network.layers.first?.weights.cols ?? 0] + network.layers.map(\.weights.rows)
        let depth = network.depth
        guard depth > 0 else { return 0 }
        var forward = 0.0
        for l in 1...depth { forward += 2 * Double(widths[l] * widths[l - 1] * m) }
        return forward * (1 + Double(widths[depth]) + (network.activation.hasKinks ? 1 : 0))
    }
}
