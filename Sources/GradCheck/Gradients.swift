/// Gradients of the cost: dW_l, db_l for every layer, and on request the intermediate dZ_l, dA_l.
public struct Gradients: Sendable, Equatable {
    /// dW_l / db_l keyed by the parameter they belong to.
    public var tensors: [ParameterID: Matrix]
    /// dZ_1 ... dZ_L (index 0 is layer 1); empty unless asked for.
    public var preActivationGradients: [Matrix]
    /// dA_1 ... dA_{L-1}, the gradient with respect to each hidden layer's output (index 0 is
    /// layer 1); empty unless asked for. dA_L is left out: the loss is differentiated with respect
    /// to the logits directly, which stays finite when A_L saturates at 0 or 1.
    public var activationGradients: [Matrix]

    public init(tensors: [ParameterID: Matrix], preActivationGradients: [Matrix] = [], activationGradients: [Matrix] = []) {
        self.tensors = tensors
        self.preActivationGradients = preActivationGradients
        self.activationGradients = activationGradients
    }

    public subscript(id: ParameterID) -> Matrix? { tensors[id] }

    /// `dW1, db1, ...` (and `dZ1, dA1, ...` when present), the names the notebook uses.
    public var named: [String: Matrix] {
        var out: [String: Matrix] = [:]
        for (id, g) in tensors { out[id.gradientName] = g }
        for (i, dz) in preActivationGradients.enumerated() { out["dZ\(i + 1)"] = dz }
        for (i, da) in activationGradients.enumerated() { out["dA\(i + 1)"] = da }
        return out
    }

    /// The tensors in W1, b1, W2, ... order.
    public var orderedIDs: [ParameterID] { tensors.keys.sorted() }
}
