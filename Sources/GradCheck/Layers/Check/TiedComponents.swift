/// A layer's tied groups (each max-pool window's equal maxima) joined into components: groups
/// that share an entry (overlapping windows tied at the same entry) are one component.
///
/// Why components: moving every entry of a component together by +-h moves the maximum of each
/// window whose maxima lie in it by +-h and no other window (a window's non-maximal entries are
/// more than h below its maximum), so the loss is smooth along that direction and the entries'
/// gradients must sum to that directional derivative. Along one window's group alone it is not
/// smooth when another tied window shares an entry.
public struct TiedComponents: Sendable, Equatable {
    /// Disjoint sets of flat indices.
    public let components: [[Int]]
    /// Entries that belong to two or more groups.
    public let shared: Set<Int>

    public init(_ groups: [[Int]]) {
        var parent: [Int: Int] = [:]
        func find(_ i: Int) -> Int {
            var root = i
            while let next = parent[root], next != root { root = next }
            var node = i
            while let next = parent[node], next != root {
                parent[node] = root
                node = next
            }
            return root
        }
        var seen: [Int: Int] = [:]
        for group in groups where group.count >= 2 {
            for i in group {
                if parent[i] == nil { parent[i] = i }
                seen[i, default: 0] += 1
            }
            let root = find(group[0])
            for i in group.dropFirst() {
                let other = find(i)
                if other != root { parent[other] = root }
            }
        }
        var byRoot: [Int: [Int]] = [:]
        for i in parent.keys.sorted() { byRoot[find(i), default: []].append(i) }
        components = byRoot.keys.sorted().map { byRoot[$0]! }
        shared = Set(seen.filter { $0.value >= 2 }.keys)
    }
}
