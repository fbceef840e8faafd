/// HMAC-SHA256 (RFC 2104) over the one SHA-256 (`SHA256`, FIPS 180-4), for signing shard
/// partials with the key the replicas share. `HMACSHA256Tests` holds it to the RFC 4231 and FIPS
/// test vectors.
public enum HMACSHA256 {
    /// SHA-256 of `message`: the one implementation, `SHA256.digest` (also the CSP hashes').
    public static func sha256(_ message: [UInt8]) -> [UInt8] { SHA256.digest(message) }

    public static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? sha256(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let inner = sha256(block.map { $0 ^ 0x36 } + message)
        return sha256(block.map { $0 ^ 0x5c } + inner)
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
    }

    /// Compares two tags in time independent of where they differ.
    public static func equalInConstantTime(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
