/// A step that reads another layer's tensor where the formula names its own: in networks whose
/// layers have equal widths the shapes still fit, so nothing fails loudly and the numbers are
/// simply wrong. dW_l = dZ_l A_{l-1}^T / m with A_k for A_{l-1}; dA_{l-1} = W_l^T dZ_l with W_k
/// for W_l; dZ_l = dA_l * g'(Z_l) with Z_k for Z_l (an index off by one in a loop over layers).
enum WrongLayerMistake {
    /// The candidates for the step computing `name`, each as the value that step would give and
    /// the sentence that names the swap; only swaps whose shapes fit are listed.
    static func candidates(for name: GradientName, replay: BackwardReplay) -> [(value: Matrix, explanation: String)] {
        let l = name.layer
        guard let input = replay.inputs(of: name).first else { return [] }
        let used = replay.used(input)
        var out: [(Matrix, String)] = []
        switch name.kind {
        case .weight:
            let right = replay.activation(l - 1)
            let divisor = replay.convention.parameterDivisor(examples: replay.m)
            for k in 0...replay.depth where k != l - 1 && replay.activation(k).shape == right.shape {
                let data = used.multiplied(by: replay.activation(k).transposed()).scaled(by: 1 / divisor)
                out.append(
                    (
                        replay.l2Term(layer: l).map { data.adding($0) } ?? data,
                        "multiplies dZ\(l) by \(GradientShapeHint.activation(k))^T instead of \(GradientShapeHint.activation(l - 1))^T: dW\(l) takes the previous layer's activations"
                    ))
            }
        case .activation where l < replay.depth:
            let right = replay.network.layers[l].weights
            for (index, layer) in replay.network.layers.enumerated() where index != l && layer.weights.shape == right.shape {
                out.append(
                    (
                        layer.weights.transposed().multiplied(by: used),
                        "uses W\(index + 1)^T instead of W\(l + 1)^T: dA\(l) = W\(l + 1)^T dZ\(l + 1) takes the weights of the layer above"
                    ))
            }
        case .preActivation where l < replay.depth:
            out += derivativeAtOtherLayers(dA: used, layer: l, replay: replay)
        default: break
        }
        return out
    }

    /// dZ_l = dA_l * g'(Z_k) for the layers k != l whose Z has Z_l's shape.
    static func derivativeAtOtherLayers(dA: Matrix, layer l: Int, replay: BackwardReplay) -> [(value: Matrix, explanation: String)] {
        let right = replay.pass.preActivations[l - 1]
        var out: [(Matrix, String)] = []
        for k in 1..<replay.depth where k != l && replay.pass.preActivations[k - 1].shape == right.shape {
            let g = replay.network.activation
            out.append(
                (
                    dA.combined(with: replay.pass.preActivations[k - 1]) { da, z in da * g.derivative(z) },
                    "multiplies dA\(l) by g'(Z\(k)) instead of g'(Z\(l)): the derivative must be taken at this layer's pre-activations"
                ))
        }
        return out
    }
}
