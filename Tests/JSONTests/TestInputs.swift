import Foundation

/// What the JSON tests read and draw from, without TestSupport: this target depends on the JSON
/// module alone, and TestSupport brings the compute core and the HTTP server with it.
enum TestInputs {
    /// Tests/Fixtures (the numpy reference vectors), found relative to this source file.
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
    /// scripts/examples (the bodies a user sends; the notebook's is only among those).
    static let examples = fixtures.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts").appendingPathComponent("examples")
}

/// SplitMix64 (Steele, Lea, Flood 2014), the algorithm of the core's `SplitMix64`, so a failing
/// value replays from its seed; only its bits, which is all these tests draw.
struct SeededBits: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
