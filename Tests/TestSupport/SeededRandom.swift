import GradCheck

/// The core's SplitMix64 under a name for suites that do not import the core (the HTTP
/// server's): the same seeded draws everywhere, so a failing value replays from its seed.
public typealias SeededRandom = SplitMix64
