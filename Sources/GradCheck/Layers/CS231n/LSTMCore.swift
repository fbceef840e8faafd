import Foundation

/// The LSTM recurrence over flat row-major arrays, shared by `lstm_step` (T = 1, with prev_c and
/// next_c), `lstm` (c0 = 0) and the dlai adapters over them. Gates along 4H in CS231n's order
/// i, f, o, g: a_t = x_t Wx + h_{t-1} Wh + b (N, 4H); i, f, o = sigmoid of their slices,
/// g = tanh of its slice; c_t = f * c_{t-1} + i * g; h_t = o * tanh(c_t).
///
/// Derivation, for f = sum_t <dh_t, h_t> + <dc_T, c_{T-1}> (dc_T: the step's dnext_c, else 0):
/// the total gradient at h_t is G_t = dh_t + (carry from t + 1), at c_t it is
/// C_t = (c carry from t + 1) + G_t * o * (1 - tanh(c_t)^2). Then
/// do = G_t * tanh(c_t), di = C_t * g, df = C_t * c_{t-1}, dg = C_t * i, the c carry C_t * f;
/// through the activations da_i = di * i(1 - i), da_f = df * f(1 - f), da_o = do * o(1 - o),
/// da_g = dg * (1 - g^2); the h carry is da_t Wh^T; dx_t = da_t Wx^T; dWx = sum_t x_t^T da_t,
/// dWh = sum_t h_{t-1}^T da_t, db = sum da_t (one product each over the stacked rows (n, t)).
enum LSTMCore {
    struct Sizes: Sendable {
        let n: Int, t: Int, d: Int, h: Int
    }

    /// How the backward is written: right, or with one of the classic slips.
    struct Variant: Sendable {
        var upstream = RNNCore.Variant.Upstream.added
        /// `=` instead of `+=` across time for dWx, dWh, db: step 0's terms only.
        var overwritten = false
        /// dc = dnext_c only: the path through o * tanh'(c) missing.
        var missingOutputPath = false
        /// dprev_c = dc: the forget gate missing from the carried cell gradient.
        var missingForgetGate = false
        /// The cell gradient not carried across time: each step starts from dc = 0 (a sequence's
        /// loop that passes zeros as dnext_c).
        var cellCarryDropped = false
        /// tanh'(c) taken as 1 - c^2 (from tanh's argument) instead of 1 - tanh(c)^2.
        var cellDerivativeFromArgument = false
        /// Per gate (i, f, o, g): how its activation's derivative is taken.
        var gateDerivatives: [GateDerivative] = Array(repeating: .right, count: 4)
        /// The student's da stacks the gates in this order (indices into i, f, o, g), e.g.
        /// [0, 1, 3, 2] for i, f, g, o; every gradient computed from da follows it.
        var stackedOrder = [0, 1, 2, 3]

        static let right = Variant()
    }

    enum GateDerivative: Sendable, Equatable {
        /// s(1 - s) from the gate s (1 - g^2 for g).
        case right
        /// a(1 - a) from the pre-activation a (1 - a^2 for g).
        case fromPreActivation
        /// sigmoid'(s) = sigmoid(s)(1 - sigmoid(s)) of the gate itself, activated twice
        /// (1 - tanh(g)^2 for g).
        case ofActivation
    }

    struct Forward {
        /// h (N, T, H) and c (N, T, H).
        var h: [Double], c: [Double]
        /// The gates after their activations (N, T, 4H) and before (when kept).
        var gates: [Double], pre: [Double]
    }

    struct Gradients {
        var dx: [Double], dh0: [Double], dc0: [Double], dWx: [Double], dWh: [Double], db: [Double]
    }

    /// One exp whatever the sign, never overflowing.
    @inline(__always)
    static func sigmoid(_ a: Double) -> Double {
        let e = exp(-abs(a))
        return a >= 0 ? 1 / (1 + e) : e / (1 + e)
    }

    static func forward(
        x: [Double], h0: [Double], c0: [Double]?, wx: [Double], wh: [Double], b: [Double], sizes s: Sizes,
        keepPreActivation: Bool = false
    ) -> Forward {
        let (n, steps, hidden) = (s.n, s.t, s.h)
        let width = 4 * hidden
        // x_t Wx for every step at once, then turned into the gates in place.
        var gates = LayerMath.matmul(x, wx, m: n * steps, k: s.d, n: width)
        var pre = [Double](repeating: 0, count: keepPreActivation ? gates.count : 0)
        var h = [Double](repeating: 0, count: n * steps * hidden)
        var c = h
        var previous = h0
        let initialCell = c0 ?? [Double](repeating: 0, count: n * hidden)
        var product = [Double](repeating: 0, count: n * width)
        for t in 0..<steps {
            RecurrentMath.multiply(previous, wh, into: &product, m: n, k: hidden, n: width)
            for row in 0..<n {
                let at = row * steps + t
                let g0 = at * width
                let p0 = row * width
                for k in 0..<width {
                    let a = gates[g0 + k] + product[p0 + k] + b[k]
                    if keepPreActivation { pre[g0 + k] = a }
                    gates[g0 + k] = k < 3 * hidden ? sigmoid(a) : Foundation.tanh(a)
                }
                let own = row * hidden
                let c0 = at * hidden
                for j in 0..<hidden {
                    let cPrev = t > 0 ? c[c0 - hidden + j] : initialCell[own + j]
                    let next = gates[g0 + hidden + j] * cPrev + gates[g0 + j] * gates[g0 + 3 * hidden + j]
                    let value = gates[g0 + 2 * hidden + j] * Foundation.tanh(next)
                    c[c0 + j] = next
                    h[c0 + j] = value
                    previous[own + j] = value
                }
            }
        }
        return Forward(h: h, c: c, gates: gates, pre: pre)
    }

    /// `dh` (N, T, H); `dcLast` (N, H) the upstream of the last cell state (the step's
    /// dnext_c), nil for none.
    static func backward(
        x: [Double], h0: [Double], c0: [Double]?, wx: [Double], wh: [Double], b: [Double], dh: [Double], dcLast: [Double]?,
        sizes s: Sizes, variant v: Variant = .right
    ) -> Gradients {
        let (n, steps, d, hidden) = (s.n, s.t, s.d, s.h)
        let width = 4 * hidden
        let keepPre = v.gateDerivatives.contains(.fromPreActivation)
        let cache = forward(x: x, h0: h0, c0: c0, wx: wx, wh: wh, b: b, sizes: s, keepPreActivation: keepPre)
        let initialCell = c0 ?? [Double](repeating: 0, count: n * hidden)
        // Where each gate's slice lands in the student's da.
        var slot = [0, 0, 0, 0]
        for (position, gate) in v.stackedOrder.enumerated() { slot[gate] = position * hidden }
        var dA = [Double](repeating: 0, count: n * steps * width)
        var carryH = [Double](repeating: 0, count: n * hidden)
        var carryC = dcLast ?? [Double](repeating: 0, count: n * hidden)
        var step = [Double](repeating: 0, count: n * width)
        var local = [Double](repeating: 0, count: 4)
        for t in (0..<steps).reversed() {
            for row in 0..<n {
                let at = row * steps + t
                let g0 = at * width
                let own = row * hidden
                for j in 0..<hidden {
                    let total: Double
                    switch v.upstream {
                    case .added: total = dh[at * hidden + j] + carryH[own + j]
                    case .lastOnly: total = t == steps - 1 ? dh[at * hidden + j] + carryH[own + j] : carryH[own + j]
                    case .replaced: total = dh[at * hidden + j]
                    }
                    let i = cache.gates[g0 + j]
                    let f = cache.gates[g0 + hidden + j]
                    let o = cache.gates[g0 + 2 * hidden + j]
                    let g = cache.gates[g0 + 3 * hidden + j]
                    let c = cache.c[at * hidden + j]
                    let cPrev = t > 0 ? cache.c[(at - 1) * hidden + j] : initialCell[own + j]
                    let tc = Foundation.tanh(c)
                    var dc = carryC[own + j]
                    if !v.missingOutputPath {
                        dc += total * o * (v.cellDerivativeFromArgument ? 1 - c * c : 1 - tc * tc)
                    }
                    carryC[own + j] = v.cellCarryDropped ? 0 : v.missingForgetGate ? dc : dc * f
                    local[0] = dc * g
                    local[1] = dc * cPrev
                    local[2] = total * tc
                    local[3] = dc * i
                    for gate in 0..<4 {
                        let value = cache.gates[g0 + gate * hidden + j]
                        let derivative: Double
                        switch v.gateDerivatives[gate] {
                        case .right: derivative = gate < 3 ? value * (1 - value) : 1 - value * value
                        case .fromPreActivation:
                            let a = cache.pre[g0 + gate * hidden + j]
                            derivative = gate < 3 ? a * (1 - a) : 1 - a * a
                        case .ofActivation:
                            if gate < 3 {
                                let twice = sigmoid(value)
                                derivative = twice * (1 - twice)
                            } else {
                                let twice = Foundation.tanh(value)
                                derivative = 1 - twice * twice
                            }
                        }
                        let da = local[gate] * derivative
                        dA[g0 + slot[gate] + j] = da
                        step[row * width + slot[gate] + j] = da
                    }
                }
            }
            RecurrentMath.multiply(step, wh, into: &carryH, m: n, k: width, n: hidden, transposeB: true)
        }
        // dA Wx^T as row-by-row dot products (both operands read contiguously).
        var dx = [Double](repeating: 0, count: n * steps * d)
        RecurrentMath.multiply(dA, wx, into: &dx, m: n * steps, k: width, n: d, transposeB: true)
        let (dWx, dWh, db): ([Double], [Double], [Double])
        if v.overwritten {
            // The last assignment of a loop over t = T-1 ... 0 is step 0's.
            let x0 = RecurrentMath.rows(x, step: 0, n: n, steps: steps, width: d)
            let da0 = RecurrentMath.rows(dA, step: 0, n: n, steps: steps, width: width)
            dWx = LayerMath.matmul(x0, da0, m: d, k: n, n: width, transposeA: true)
            dWh = LayerMath.matmul(h0, da0, m: hidden, k: n, n: width, transposeA: true)
            db = LayerMath.columnSums(da0, m: n, n: width)
        } else {
            let previous = RecurrentMath.previousStates(cache.h, initial: h0, n: n, steps: steps, width: hidden)
            dWx = LayerMath.matmul(x, dA, m: d, k: n * steps, n: width, transposeA: true)
            dWh = LayerMath.matmul(previous, dA, m: hidden, k: n * steps, n: width, transposeA: true)
            db = LayerMath.columnSums(dA, m: n * steps, n: width)
        }
        return Gradients(dx: dx, dh0: carryH, dc0: carryC, dWx: dWx, dWh: dWh, db: db)
    }

    /// The columns of a (rows, 4H) array with its gate slices moved to `order` (slice k of the
    /// result is gate order[k]'s): dWx, dWh, db assembled in another gate order.
    static func reorderedGates(_ values: [Double], rows: Int, hidden: Int, order: [Int]) -> [Double] {
        let width = 4 * hidden
        var result = values
        for r in 0..<rows {
            for (position, gate) in order.enumerated() {
                for j in 0..<hidden { result[r * width + position * hidden + j] = values[r * width + gate * hidden + j] }
            }
        }
        return result
    }

    /// Multiply-adds of one forward: the input product, the recurrent products, the gates.
    static func operations(_ s: Sizes) -> Double {
        let rows = Double(s.n * s.t)
        return 2 * rows * Double(s.d * 4 * s.h) + 2 * rows * Double(s.h * 4 * s.h) + 100 * rows * Double(s.h)
    }

    /// The common wrong gate orders a backward stacks da (or assembles dWx) in, as indices into
    /// i, f, o, g: i, f, g, o (the equations' order, PyTorch's); f, i, g, o (deeplearning.ai's);
    /// i, g, f, o (TensorFlow's i, j, f, o); f, i, o, g (i and f swapped).
    static let wrongOrders: [[Int]] = [[0, 1, 3, 2], [1, 0, 3, 2], [0, 3, 1, 2], [1, 0, 2, 3]]
}
