import Foundation
import GradCheck

/// One benchmark network, read from the raw float64 file Benchmarks/notebook_numpy.py writes
/// (X, Y, W1, b1, ..., WL, bL, row-major, little-endian), so Swift and numpy time the same network.
struct BenchCase {
    let name: String
    let widths: [Int]
    let network: Network
    let x: Matrix
    let y: Matrix

    /// `name` is like `100-50-20-1_m64`.
    init(directory: URL, name: String) throws {
        self.name = name
        let parts = name.split(separator: "_")
        widths = parts[0].split(separator: "-").map { Int($0)! }
        let m = Int(parts[1].dropFirst())!
        let data = try Data(contentsOf: directory.appendingPathComponent(name + ".bin"))
        let all: [Double] = data.withUnsafeBytes { raw in
            (0..<(data.count / 8)).map {
                Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)))
            }
        }
        var offset = 0
        func take(_ rows: Int, _ cols: Int) -> Matrix {
            defer { offset += rows * cols }
            return Matrix(rows: rows, cols: cols, values: Array(all[offset..<(offset + rows * cols)]))
        }
        x = take(widths[0], m)
        y = take(1, m)
        var layers: [Layer] = []
        for l in 1..<widths.count {
            let w = take(widths[l], widths[l - 1])
            layers.append(Layer(weights: w, bias: take(widths[l], 1)))
        }
        precondition(offset == all.count, "\(name).bin does not match its dimensions")
        network = Network(layers: layers, activation: .relu, output: .sigmoid, lambd: 0)
    }
}
