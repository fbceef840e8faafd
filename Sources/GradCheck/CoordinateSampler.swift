/// Chooses which coordinates a check compares.
enum CoordinateSampler {
    /// Every entry of every tensor, in the notebook's vector order.
    static func all(of network: Network, only: Set<ParameterID>? = nil) -> [Coordinate] {
        network.parameterIDs.filter { only?.contains($0) ?? true }.flatMap { coordinates(of: $0, in: network, picking: nil) }
    }

    /// `count` entries, stratified: each tensor gets at least one and otherwise a share
    /// proportional to its size (never more than it has), drawn without replacement. The result
    /// depends only on the network's shapes, `count` and `seed`. A `count` below the number of
    /// tensors is raised to it, a `count` above the parameter count lowered to it.
    static func sample(of network: Network, count: Int, seed: UInt64, only: Set<ParameterID>? = nil) -> [Coordinate] {
        let ids = network.parameterIDs.filter { only?.contains($0) ?? true }
        let sizes = ids.map { network[$0].count }
        let total = sizes.reduce(0, +)
        let target = min(max(count, ids.count), total)
        // One each, then the rest by largest remaining proportional share (Hamilton's method).
        var quota = sizes.map { _ in 1 }
        var remaining = target - ids.count
        let shares = sizes.map { Double($0) / Double(total) * Double(remaining) }
        for i in ids.indices {
            let extra = min(Int(shares[i]), sizes[i] - quota[i], remaining)
            quota[i] += extra
            remaining -= extra
        }
        while remaining > 0 {
            let best = ids.indices.filter { quota[$0] < sizes[$0] }
                .max { (shares[$0] - Double(quota[$0])) < (shares[$1] - Double(quota[$1])) }!
            quota[best] += 1
            remaining -= 1
        }
        var generator = SplitMix64(seed: seed)
        var picked: [Coordinate] = []
        for (i, id) in ids.enumerated() {
            let chosen = distinctIndices(quota[i], below: sizes[i], using: &generator)
            picked += coordinates(of: id, in: network, picking: chosen)
        }
        return picked
    }

    /// Floyd's algorithm: `k` distinct values in 0..<n in O(k), sorted.
    private static func distinctIndices(_ k: Int, below n: Int, using generator: inout SplitMix64) -> [Int] {
        var chosen = Set<Int>()
        for j in (n - k)..<n {
            let t = generator.nextIndex(below: j + 1)
            chosen.insert(chosen.contains(t) ? j : t)
        }
        return chosen.sorted()
    }

    private static func coordinates(of id: ParameterID, in network: Network, picking flat: [Int]?) -> [Coordinate] {
        let cols = network[id].cols
        let flatIndices = flat ?? Array(0..<network[id].count)
        return flatIndices.map { Coordinate(parameter: id, row: $0 / cols, col: $0 % cols) }
    }
}
