/// An `only` pattern compiled once: the literal pieces between its `*`s (a run of `*` is one).
///
/// Matching is the greedy glob algorithm, which is exact for `*`-only patterns: the first piece
/// must start the name, the last end it, and each middle piece is found leftmost after the one
/// before (a later occurrence could only leave less room for the rest). No backtracking: each
/// piece is searched once, so a match costs at most |name| x |pattern| byte comparisons, and
/// usually |name| + |pattern| (names are `W12`, `b3`).
struct TensorPattern: Hashable, Sendable {
    /// The literal pieces, `*` between each two; one piece when the pattern has no `*`.
    let pieces: [[UInt8]]

    init(_ pattern: String) {
        var pieces: [[UInt8]] = [[]]
        var previousWasStar = false
        for byte in pattern.utf8 {
            if byte == UInt8(ascii: "*") {
                if !previousWasStar { pieces.append([]) }
                previousWasStar = true
            } else {
                pieces[pieces.count - 1].append(byte)
                previousWasStar = false
            }
        }
        self.pieces = pieces
    }

    var hasWildcard: Bool { pieces.count > 1 }

    func matches(_ name: String) -> Bool { matches(Array(name.utf8)) }

    func matches(_ bytes: [UInt8]) -> Bool {
        guard hasWildcard else { return bytes == pieces[0] }
        let first = pieces[0]
        let last = pieces[pieces.count - 1]
        guard bytes.count >= first.count + last.count, bytes.starts(with: first), bytes.suffix(last.count).elementsEqual(last)
        else { return false }
        var position = first.count
        let end = bytes.count - last.count
        for piece in pieces.dropFirst().dropLast() where !piece.isEmpty {
            guard let found = Self.find(piece, in: bytes, from: position, before: end) else { return false }
            position = found + piece.count
        }
        return true
    }

    /// The first index i in from..<end - piece.count + 1 where `piece` occurs in `bytes`.
    private static func find(_ piece: [UInt8], in bytes: [UInt8], from start: Int, before end: Int) -> Int? {
        guard end - start >= piece.count else { return nil }
        for i in start...(end - piece.count) where bytes[i] == piece[0] {
            var k = 1
            while k < piece.count && bytes[i + k] == piece[k] { k += 1 }
            if k == piece.count { return i }
        }
        return nil
    }
}
