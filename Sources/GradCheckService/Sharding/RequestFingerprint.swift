import GradCheck

/// A 64-bit FNV-1a hash of everything a check's answer depends on: X, Y, the parameters, the
/// caller's gradients, activation, output, lambd, epsilon, threshold, method, dtype and `only`
/// (not `shard`). Shards of one check carry the same fingerprint; a merge refuses shards whose
/// fingerprints differ. Numbers are hashed by their bits, tensors with their names and shapes,
/// in sorted key order, so the same request gives the same hash on every replica.
enum RequestFingerprint {
    static func of(_ request: NetworkRequest) -> String {
        var h = Hasher64()
        h.matrix(request.x)
        h.matrix(request.y)
        h.tensors(request.parameters, name: \.name)
        if let gradients = request.gradients {
            h.byte(1)
            h.tensors(gradients, name: \.name)
        } else {
            h.byte(0)
        }
        h.string(request.activation.rawValue)
        h.string(request.output.rawValue)
        h.double(request.lambd)
        h.double(request.epsilon)
        h.double(request.threshold)
        h.string(request.method.rawValue)
        h.string(request.precision.rawValue)
        for pattern in request.only ?? [] { h.string(pattern) }
        let hex = String(h.value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    private struct Hasher64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325

        mutating func byte(_ b: UInt8) {
            value = (value ^ UInt64(b)) &* 0x100_0000_01b3
        }

        mutating func word(_ w: UInt64) {
            for shift in stride(from: 0, to: 64, by: 8) { byte(UInt8(truncatingIfNeeded: w >> UInt64(shift))) }
        }

        mutating func double(_ d: Double) { word(d.bitPattern) }

        mutating func string(_ s: String) {
            word(UInt64(s.utf8.count))
            for b in s.utf8 { byte(b) }
        }

        mutating func matrix(_ m: Matrix) {
            word(UInt64(m.rows))
            word(UInt64(m.cols))
            for v in m.values { double(v) }
        }

        /// Each tensor under its name, in the names' string order.
        mutating func tensors<Key>(_ tensors: [Key: Matrix], name: (Key) -> String) {
            word(UInt64(tensors.count))
            for (key, tensor) in tensors.map({ (name($0.key), $0.value) }).sorted(by: { $0.0 < $1.0 }) {
                string(key)
                matrix(tensor)
            }
        }
    }
}
