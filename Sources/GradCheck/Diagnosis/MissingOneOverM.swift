/// The tie the two conventions leave open: every dW_l and db_l is m times the right value while
/// the intermediates the caller sent are right in the notebook's (`sum`) convention. Read in
/// CS231n's (`mean`) convention, the same numbers are one slip, "dZ_L is m times too large",
/// with every dW and db propagated from it; read in the caller's own convention they are "every
/// dW and db is missing the 1/m". Both reproduce the numbers; the caller's intermediates say
/// which convention they wrote, so that reading wins, and the other is said in one sentence.
extension GradientChecker {
    static func missingOneOverM(
        replay: BackwardReplay, failed: [GradientName: Bool], intermediates: [GradientName], voted: GradientConvention?,
        convention: GradientConvention
    ) -> RootCause? {
        let m = Double(replay.m)
        guard voted == .sum, convention == .sum, replay.m > 1, !intermediates.isEmpty,
            intermediates.allSatisfy({ failed[$0] == false })
        else { return nil }
        let depth = replay.depth
        var parameters: [GradientName] = []
        for l in stride(from: depth, through: 1, by: -1) {
            parameters.append(GradientName(layer: l, kind: .weight))
            parameters.append(GradientName(layer: l, kind: .bias))
        }
        for name in parameters {
            guard failed[name] == true, let caller = replay.caller[name] else { return nil }
            let truth = replay.truth(name)
            guard MistakeRecognition.explains(caller, truth.scaled(by: m)) else { return nil }
        }
        let last = GradientName(layer: depth, kind: .preActivation)
        let sent = intermediates.map(\.description).joined(separator: ", ")
        let mText = String(Int(m))
        return RootCause(
            gradient: GradientName(layer: depth, kind: .weight), kind: .scaled, factor: m, entries: [],
            message:
                "every dW and db is m = \(mText) times the right value: the lines that compute dW and db are missing the 1/m (your \(sent) \(intermediates.count == 1 ? "follows" : "follow") the notebook's convention, where dW = dZ A^T / m and db = sum(dZ) / m). Read in CS231n's convention instead, where \(last) = (A\(depth) - Y) / m, the same numbers would mean \(last) is m times too large.",
            inferred: false)
    }
}
