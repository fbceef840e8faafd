/// The small helpers the recurrent layers share over row-major flat arrays whose rows are
/// (n, t) pairs, n major: a sequence (N, T, W) read as N T rows of width W.
enum RecurrentMath {
    /// C (m x n) = A (m x k) op(B), written into a preallocated `c` (LayerMath.matmul's loop
    /// without its allocation: the recurrences call it once per step). `transposeB` reads B as
    /// stored n x k.
    static func multiply(_ a: [Double], _ b: [Double], into c: inout [Double], m: Int, k: Int, n: Int, transposeB: Bool = false) {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    for index in 0..<(m * n) { c[index] = 0 }
                    for i in 0..<m {
                        let row = i * n
                        if transposeB {
                            for j in 0..<n {
                                var sum = 0.0
                                let brow = j * k
                                for p in 0..<k { sum += a[i * k + p] * b[brow + p] }
                                c[row + j] = sum
                            }
                        } else {
                            for p in 0..<k {
                                let aip = a[i * k + p]
                                if aip == 0 { continue }
                                let brow = p * n
                                for j in 0..<n { c[row + j] += aip * b[brow + j] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The states each step started from: row (n, t) holds h_{t-1} (h0's row n at t = 0).
    static func previousStates(_ states: [Double], initial: [Double], n: Int, steps: Int, width: Int) -> [Double] {
        var previous = [Double](repeating: 0, count: n * steps * width)
        for row in 0..<n {
            for t in 0..<steps {
                let to = (row * steps + t) * width
                if t == 0 {
                    for j in 0..<width { previous[to + j] = initial[row * width + j] }
                } else {
                    let from = (row * steps + t - 1) * width
                    for j in 0..<width { previous[to + j] = states[from + j] }
                }
            }
        }
        return previous
    }

    /// One step's rows (N, W) of a sequence (N, T, W).
    static func rows(_ sequence: [Double], step t: Int, n: Int, steps: Int, width: Int) -> [Double] {
        var rows = [Double](repeating: 0, count: n * width)
        for row in 0..<n {
            let from = (row * steps + t) * width
            for j in 0..<width { rows[row * width + j] = sequence[from + j] }
        }
        return rows
    }
}
