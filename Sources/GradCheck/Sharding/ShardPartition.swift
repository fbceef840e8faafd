/// Splits a full check's coordinates into `count` deterministic parts of about equal cost.
///
/// The parts are contiguous runs of the notebook's vector order (W1, b1, W2, ...; row-major
/// inside a tensor), so a merge that walks the shards in index order sees every coordinate in
/// the order the unsharded check sees it: worst-entry ties and the first kink examples come
/// out the same. Each coordinate is weighed by what the engine spends on it
/// (`FastEngine.estimatedOperations`: a layer-1 weight of a tanh network costs far more than an
/// output bias), and part k ends where the running cost first reaches (k + 1)/count of the total.
/// The result depends only on the shapes, the activation, the number of examples and the method,
/// so every replica computes the same split. Parts end only where a tensor row ends: the engine
/// chooses how to evaluate a row from how many of its coordinates a request asks for (the
/// smooth-activation Taylor path needs several), so a row split between shards would take another
/// path than unsharded and differ in the last digits.
public struct ShardSpec: Sendable, Equatable {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Most shards one check may be split into.
    public static let maxCount = 1024
}

public enum ShardPartition {
    /// The coordinates of every part, in order: index k holds part k's coordinates.
    public static func ranges(
        of network: Network, examples m: Int, method: DifferenceMethod,
        only: Set<ParameterID>? = nil, count: Int
    ) -> [Range<Int>] {
        let all = CoordinateSampler.all(of: network, only: only)
        return ranges(
            costs: costs(of: all, network: network, examples: m, method: method), count: count,
            boundaries: rowStarts(all))
    }

    /// Where a part may begin: at the first coordinate of a tensor row.
    static func rowStarts(_ coordinates: [Coordinate]) -> [Bool] {
        coordinates.map { $0.col == 0 }
    }

    /// Cost-balanced contiguous ranges over items of the given costs (`count` >= 1; a range may be
    /// empty when there are fewer items than parts or one item outweighs a part).
    /// `boundaries[i]`: a part may begin at item i (nil: anywhere).
    public static func ranges(costs: [Double], count: Int, boundaries: [Bool]? = nil) -> [Range<Int>] {
        precondition(count >= 1)
        // Every item weighs at least 1, so a network of free coordinates still splits by count.
        var prefix = [Double](repeating: 0, count: costs.count + 1)
        for (i, c) in costs.enumerated() { prefix[i + 1] = prefix[i] + max(c, 1) }
        let total = prefix[costs.count]
        var bounds = [0]
        var b = 0
        for k in 1..<count {
            let target = total * Double(k) / Double(count)
            // Part k - 1 ends before the first item the running cost reaches the target at.
            while b < costs.count && (prefix[b] < target || boundaries?[b] == false) { b += 1 }
            bounds.append(b)
        }
        bounds.append(costs.count)
        return (0..<count).map { bounds[$0]..<bounds[$0 + 1] }
    }

    /// The coordinates part `shard.index` of `shard.count` checks.
    static func coordinates(
        of network: Network, examples m: Int, method: DifferenceMethod,
        only: Set<ParameterID>?, shard: ShardSpec
    ) -> [Coordinate] {
        let all = CoordinateSampler.all(of: network, only: only)
        let parts = ranges(
            costs: costs(of: all, network: network, examples: m, method: method), count: shard.count,
            boundaries: rowStarts(all))
        return Array(all[parts[shard.index]])
    }

    /// How many coordinates part `shard.index` of `shard.count` checks and what the engine spends
    /// on them, from the same per-coordinate costs the split is balanced by.
    public static func price(
        of network: Network, examples m: Int, method: DifferenceMethod, only: Set<ParameterID>?, shard: ShardSpec
    ) -> (coordinates: Int, operations: Double) {
        let all = CoordinateSampler.all(of: network, only: only)
        let costs = costs(of: all, network: network, examples: m, method: method)
        let part = ranges(costs: costs, count: shard.count, boundaries: rowStarts(all))[shard.index]
        return (part.count, part.reduce(0.0) { $0 + costs[$1] })
    }

    /// Each coordinate's cost: its tensor's full-check price shared evenly by the tensor's
    /// entries. Priced per tensor, not per single coordinate, because the engine's cost is not
    /// linear in the count: a smooth network's rows are expanded once and then cost O(m) per
    /// coordinate, so one lone coordinate costs far more than its share of a whole row. Shards cut
    /// at row boundaries, so each one's rows are evaluated the way the share assumes, and
    /// `WorkEstimate` prices a shard from these same per-tensor figures.
    static func costs(of coordinates: [Coordinate], network: Network, examples m: Int, method: DifferenceMethod) -> [Double] {
        var perTensor: [ParameterID: Double] = [:]
        return coordinates.map { coordinate in
            if let cost = perTensor[coordinate.parameter] { return cost }
            let entries = network[coordinate.parameter].count
            let cost =
                FastEngine.estimatedOperations(
                    of: network, examples: m, parameter: coordinate.parameter, coordinates: entries, method: method)
                / Double(max(entries, 1))
            perTensor[coordinate.parameter] = cost
            return cost
        }
    }
}
