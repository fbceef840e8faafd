/// The few dense kernels the layers share, over row-major flat arrays.
public enum LayerMath {
    /// C (m x n) = op(A) op(B), op(A) m x k, op(B) k x n; `transposeA` reads A as stored k x m.
    public static func matmul(
        _ a: [Double], _ b: [Double], m: Int, k: Int, n: Int, transposeA: Bool = false, transposeB: Bool = false
    ) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    for i in 0..<m {
                        for p in 0..<k {
                            let aip = transposeA ? a[p * m + i] : a[i * k + p]
                            if aip == 0 { continue }
                            let row = i * n
                            if transposeB {
                                for j in 0..<n { c[row + j] += aip * b[j * k + p] }
                            } else {
                                let brow = p * n
                                for j in 0..<n { c[row + j] += aip * b[brow + j] }
                            }
                        }
                    }
                }
            }
        }
        return c
    }

    /// Sum over the rows of an m x n array: n column sums (numpy's `sum(axis=0)`).
    public static func columnSums(_ a: [Double], m: Int, n: Int) -> [Double] {
        var sums = [Double](repeating: 0, count: n)
        for i in 0..<m {
            for j in 0..<n { sums[j] += a[i * n + j] }
        }
        return sums
    }

    /// Sum over the columns of an m x n array: m row sums (numpy's `sum(axis=1)`).
    public static func rowSums(_ a: [Double], m: Int, n: Int) -> [Double] {
        (0..<m).map { i in (0..<n).reduce(0) { $0 + a[i * n + $1] } }
    }
}
