import Foundation

/// The vanilla RNN recurrence over flat row-major arrays, shared by `rnn_step` (one step, T = 1:
/// x (N, D) has the layout of x (N, 1, D)) and `rnn`, and the dlai adapters over them.
///
/// Forward: h_t = tanh(a_t), a_t = x_t Wx + h_{t-1} Wh + b, h_{-1} = h0; x (N, T, D) row (n, t).
///
/// Derivation, for f = sum_t <dh_t, h_t>: the total gradient at h_t is the upstream dh_t plus the
/// gradient carried back from step t + 1 (g_T = 0): G_t = dh_t + g_{t+1}. Then
/// da_t = G_t * tanh'(a_t) = G_t * (1 - h_t^2); g_t = da_t Wh^T (the carry, so dh0 = g_0);
/// dx_t = da_t Wx^T; dWx = sum_t x_t^T da_t; dWh = sum_t h_{t-1}^T da_t; db = sum_{t,n} da_t.
/// With every da_t stacked as rows (n, t) of dA (N T, H), dx = dA Wx^T, dWx = X^T dA and
/// dWh = Hprev^T dA are one product each; only the carry g_t runs step by step.
enum RNNCore {
    struct Sizes: Sendable {
        let n: Int, t: Int, d: Int, h: Int
    }

    /// How the backward is written: right, or with one of the classic slips.
    struct Variant: Sendable {
        enum Upstream: Sendable {
            /// G_t = dh_t + g_{t+1}.
            case added
            /// Only the last step's upstream: G_{T-1} = dh_{T-1}, G_t = g_{t+1} before it.
            case lastOnly
            /// The carry replaced by the upstream: G_t = dh_t.
            case replaced
        }
        var upstream = Upstream.added
        var derivative = Derivative.right
        /// `dWx = ...` instead of `+=` in a backward loop over t = T-1 ... 0: step 0's terms only.
        var overwritten = false
        /// The carry da_t Wh instead of da_t Wh^T (Wh is square, so the shapes fit).
        var carryUntransposed = false

        static let right = Variant()
    }

    /// How tanh' is taken at step t.
    enum Derivative: Sendable {
        /// 1 - h_t^2.
        case right
        /// 1 - a_t^2, from the pre-activation a_t.
        case fromPreActivation
        /// 1 - tanh(h_t)^2: tanh' evaluated at the activation h_t, tanh applied twice.
        case ofActivation
    }

    struct Gradients {
        var dx: [Double], dh0: [Double], dWx: [Double], dWh: [Double], db: [Double]
    }

    /// h (N, T, H), and the pre-activations a when `keepPreActivation`.
    static func forward(
        x: [Double], h0: [Double], wx: [Double], wh: [Double], b: [Double], sizes s: Sizes, keepPreActivation: Bool = false
    ) -> (h: [Double], pre: [Double]) {
        let (n, steps, hidden) = (s.n, s.t, s.h)
        // x_t Wx for every step at once: rows (n, t) of (N T, H).
        var h = LayerMath.matmul(x, wx, m: n * steps, k: s.d, n: hidden)
        var pre = keepPreActivation ? [Double](repeating: 0, count: h.count) : []
        var previous = h0
        var product = [Double](repeating: 0, count: n * hidden)
        for t in 0..<steps {
            RecurrentMath.multiply(previous, wh, into: &product, m: n, k: hidden, n: hidden)
            for row in 0..<n {
                let out = (row * steps + t) * hidden
                let own = row * hidden
                for j in 0..<hidden {
                    let a = h[out + j] + product[own + j] + b[j]
                    if keepPreActivation { pre[out + j] = a }
                    let value = Foundation.tanh(a)
                    h[out + j] = value
                    previous[own + j] = value
                }
            }
        }
        return (h, pre)
    }

    static func backward(
        x: [Double], h0: [Double], wx: [Double], wh: [Double], b: [Double], dh: [Double], sizes s: Sizes,
        variant: Variant = .right
    ) -> Gradients {
        let (n, steps, d, hidden) = (s.n, s.t, s.d, s.h)
        let (h, pre) = forward(x: x, h0: h0, wx: wx, wh: wh, b: b, sizes: s, keepPreActivation: variant.derivative == .fromPreActivation)
        var dA = [Double](repeating: 0, count: n * steps * hidden)
        var carry = [Double](repeating: 0, count: n * hidden)
        var step = [Double](repeating: 0, count: n * hidden)
        for t in (0..<steps).reversed() {
            for row in 0..<n {
                let at = (row * steps + t) * hidden
                let own = row * hidden
                for j in 0..<hidden {
                    let total: Double
                    switch variant.upstream {
                    case .added: total = dh[at + j] + carry[own + j]
                    case .lastOnly: total = t == steps - 1 ? dh[at + j] : carry[own + j]
                    case .replaced: total = dh[at + j]
                    }
                    let derivative: Double
                    switch variant.derivative {
                    case .right: derivative = 1 - h[at + j] * h[at + j]
                    case .fromPreActivation: derivative = 1 - pre[at + j] * pre[at + j]
                    case .ofActivation:
                        let twice = Foundation.tanh(h[at + j])
                        derivative = 1 - twice * twice
                    }
                    let da = total * derivative
                    dA[at + j] = da
                    step[own + j] = da
                }
            }
            RecurrentMath.multiply(step, wh, into: &carry, m: n, k: hidden, n: hidden, transposeB: !variant.carryUntransposed)
        }
        // dA Wx^T as row-by-row dot products (both operands read contiguously).
        var dx = [Double](repeating: 0, count: n * steps * d)
        RecurrentMath.multiply(dA, wx, into: &dx, m: n * steps, k: hidden, n: d, transposeB: true)
        let previous = RecurrentMath.previousStates(h, initial: h0, n: n, steps: steps, width: hidden)
        let (dWx, dWh, db): ([Double], [Double], [Double])
        if variant.overwritten {
            // The last assignment of a loop over t = T-1 ... 0 is step 0's.
            let x0 = RecurrentMath.rows(x, step: 0, n: n, steps: steps, width: d)
            let da0 = RecurrentMath.rows(dA, step: 0, n: n, steps: steps, width: hidden)
            dWx = LayerMath.matmul(x0, da0, m: d, k: n, n: hidden, transposeA: true)
            dWh = LayerMath.matmul(h0, da0, m: hidden, k: n, n: hidden, transposeA: true)
            db = LayerMath.columnSums(da0, m: n, n: hidden)
        } else {
            dWx = LayerMath.matmul(x, dA, m: d, k: n * steps, n: hidden, transposeA: true)
            dWh = LayerMath.matmul(previous, dA, m: hidden, k: n * steps, n: hidden, transposeA: true)
            db = LayerMath.columnSums(dA, m: n * steps, n: hidden)
        }
        return Gradients(dx: dx, dh0: carry, dWx: dWx, dWh: dWh, db: db)
    }

    /// Multiply-adds of one forward: the input product, the recurrent products, the tanh.
    static func operations(_ s: Sizes) -> Double {
        let rows = Double(s.n * s.t)
        return 2 * rows * Double(s.d * s.h) + 2 * rows * Double(s.h * s.h) + 20 * rows * Double(s.h)
    }
}
