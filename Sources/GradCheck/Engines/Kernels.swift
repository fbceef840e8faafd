import Dispatch
import Foundation

/// Dense kernels on row-major buffers, and the few scalar functions the engine's inner loops need.
enum Kernels {
    /// Rows of k processed per pass: a 128 x 512 block of B (512 KB) stays in L2 while every
    /// row of C streams through it.
    private static let kBlock = 128

    /// Rows of C a worker gets at least: a product of fewer rows per worker is over before the
    /// extra workers have started, so it runs on fewer of them (one, for under 16 rows).
    private static let minimumRowsPerWorker = 8

    /// C = A * B, A (rows x inner), B (inner x cols); rows are spread over `threads` workers.
    static func multiply(_ a: [Double], _ b: [Double], rows: Int, inner: Int, cols: Int, threads: Int = 1) -> [Double] {
        var c = [Double](repeating: 0, count: rows * cols)
        c.withUnsafeMutableBufferPointer { cp in
            let out = SharedMutableBuffer(cp)
            let workers = max(1, min(threads, rows / minimumRowsPerWorker))
            if workers == 1 {
                multiplyRows(a, b, out, rowRange: 0..<rows, inner: inner, cols: cols)
            } else {
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    multiplyRows(a, b, out, rowRange: (rows * w / workers)..<(rows * (w + 1) / workers), inner: inner, cols: cols)
                }
            }
        }
        return c
    }

    private static func multiplyRows(
        _ a: [Double], _ b: [Double], _ c: SharedMutableBuffer,
        rowRange: Range<Int>, inner: Int, cols n: Int
    ) {
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                guard let ab = ap.baseAddress, let bb = bp.baseAddress else { return }
                multiplyRows(ab, bb, c.base, rowRange: rowRange, inner: inner, cols: n)
            }
        }
    }

    private static func multiplyRows(
        _ ab: UnsafePointer<Double>, _ bb: UnsafePointer<Double>, _ cb: UnsafeMutablePointer<Double>,
        rowRange: Range<Int>, inner: Int, cols n: Int
    ) {
        var k0 = 0
        while k0 < inner {
            let k1 = min(inner, k0 + kBlock)
            var i = rowRange.lowerBound
            // Two rows of C per sweep share every load of B.
            while i + 2 <= rowRange.upperBound {
                let c0 = cb + i * n
                let c1 = c0 + n
                let r0 = ab + i * inner
                let r1 = r0 + inner
                var k = k0
                while k + 4 <= k1 {
                    let b0 = bb + k * n
                    let b1 = b0 + n
                    let b2 = b1 + n
                    let b3 = b2 + n
                    let x0 = r0[k]
                    let x1 = r0[k + 1]
                    let x2 = r0[k + 2]
                    let x3 = r0[k + 3]
                    let y0 = r1[k]
                    let y1 = r1[k + 1]
                    let y2 = r1[k + 2]
                    let y3 = r1[k + 3]
                    for j in 0..<n {
                        let v0 = b0[j]
                        let v1 = b1[j]
                        let v2 = b2[j]
                        let v3 = b3[j]
                        c0[j] += x0 * v0 + x1 * v1 + x2 * v2 + x3 * v3
                        c1[j] += y0 * v0 + y1 * v1 + y2 * v2 + y3 * v3
                    }
                    k += 4
                }
                while k < k1 {
                    let b0 = bb + k * n
                    let x0 = r0[k]
                    let y0 = r1[k]
                    for j in 0..<n {
                        c0[j] += x0 * b0[j]
                        c1[j] += y0 * b0[j]
                    }
                    k += 1
                }
                i += 2
            }
            while i < rowRange.upperBound {
                let cRow = cb + i * n
                let aRow = ab + i * inner
                var k = k0
                while k + 4 <= k1 {
                    let a0 = aRow[k]
                    let a1 = aRow[k + 1]
                    let a2 = aRow[k + 2]
                    let a3 = aRow[k + 3]
                    let b0 = bb + k * n
                    let b1 = b0 + n
                    let b2 = b1 + n
                    let b3 = b2 + n
                    for j in 0..<n { cRow[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j] }
                    k += 4
                }
                while k < k1 {
                    let a0 = aRow[k]
                    let b0 = bb + k * n
                    for j in 0..<n { cRow[j] += a0 * b0[j] }
                    k += 1
                }
                i += 1
            }
            k0 = k1
        }
    }

    static func transpose(_ a: [Double], rows: Int, cols: Int) -> [Double] {
        var t = [Double](repeating: 0, count: rows * cols)
        for r in 0..<rows { for c in 0..<cols { t[c * rows + r] = a[r * cols + c] } }
        return t
    }

    /// e^x - 1. For |x| <= `SeriesCutoff.smallArgument` the Taylor polynomial through x^6 is
    /// exact to rounding, and several times cheaper than the libm call.
    @inline(__always)
    static func expm1(_ x: Double) -> Double {
        if abs(x) > SeriesCutoff.smallArgument { return Foundation.expm1(x) }
        return x * (1 + x * (1.0 / 2 + x * (1.0 / 6 + x * (1.0 / 24 + x * (1.0 / 120 + x * (1.0 / 720))))))
    }

    /// log(1 + u). For |u| <= `SeriesCutoff.smallArgument` the series through u^7 is exact to
    /// rounding.
    @inline(__always)
    static func log1p(_ u: Double) -> Double {
        if abs(u) > SeriesCutoff.smallArgument { return Foundation.log1p(u) }
        return u * (1 - u * (1.0 / 2 - u * (1.0 / 3 - u * (1.0 / 4 - u * (1.0 / 5 - u * (1.0 / 6 - u * (1.0 / 7)))))))
    }
}

/// A mutable buffer that several workers write into, each at indices no other worker touches.
/// `@unchecked Sendable` because the compiler cannot see that disjointness; every use splits the
/// index range (rows or coordinates) between workers before writing.
struct SharedMutableBuffer: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
    init(_ buffer: UnsafeMutableBufferPointer<Double>) { base = buffer.baseAddress ?? UnsafeMutablePointer<Double>.allocate(capacity: 1) }
}
