/// Which entries of x share one mean and variance, and which entry of gamma and beta scales and
/// shifts each: the one thing batch, layer, spatial batch and group norm differ in (and the thing
/// their wrong-axis slips get wrong).
///
/// Group `g` holds the entries `base(g) + a * outerStride + b` for `a < outerCount`, `b < innerCount`,
/// with `base(g) = (g / groupsPerBlock) * blockStride + (g % groupsPerBlock) * groupStride`; entry
/// `flat` of x is scaled by `gamma[(flat / channelStride) % channelCount]`.
public struct NormLayout: Sendable, Equatable {
    public var groupCount: Int
    public var groupsPerBlock: Int
    public var blockStride: Int
    public var groupStride: Int
    public var outerCount: Int
    public var outerStride: Int
    public var innerCount: Int
    public var channelStride: Int
    public var channelCount: Int

    /// The entries per group: the m of the mean and of the variance's 1/m.
    public var groupSize: Int { outerCount * innerCount }

    /// Statistics per column of a (rows, columns) array, gamma per column: batch norm (over the
    /// batch axis 0).
    public static func columns(rows: Int, columns: Int) -> NormLayout {
        NormLayout(
            groupCount: columns, groupsPerBlock: max(columns, 1), blockStride: 0, groupStride: 1,
            outerCount: rows, outerStride: columns, innerCount: 1, channelStride: 1, channelCount: columns)
    }

    /// Statistics per row of a (rows, columns) array, gamma per column: layer norm (over the
    /// feature axis 1).
    public static func rows(rows: Int, columns: Int) -> NormLayout {
        NormLayout(
            groupCount: rows, groupsPerBlock: max(rows, 1), blockStride: 0, groupStride: columns,
            outerCount: 1, outerStride: 0, innerCount: columns, channelStride: 1, channelCount: columns)
    }

    /// Statistics per channel over N, H and W of an (N, C, H, W) array (`plane` = H * W), gamma
    /// per channel: spatial batch norm.
    public static func channels(n: Int, c: Int, plane: Int) -> NormLayout {
        NormLayout(
            groupCount: c, groupsPerBlock: max(c, 1), blockStride: 0, groupStride: plane,
            outerCount: n, outerStride: c * plane, innerCount: plane, channelStride: plane, channelCount: c)
    }

    /// Statistics per example and group of C / G channels of an (N, C, H, W) array, gamma per
    /// channel: group norm. Consecutive channels form a group (`x.reshape(N, G, -1)`); `strided`
    /// groups channel c with the channels c + G, c + 2G, ... (`x.reshape(N, C // G, G, H, W)`
    /// reduced over axes 1, 3, 4), a slip.
    public static func groups(n: Int, c: Int, plane: Int, g: Int, strided: Bool = false) -> NormLayout {
        let perGroup = c / g
        return NormLayout(
            groupCount: n * g, groupsPerBlock: g, blockStride: c * plane, groupStride: strided ? plane : perGroup * plane,
            outerCount: strided ? perGroup : 1, outerStride: strided ? g * plane : 0, innerCount: strided ? plane : perGroup * plane,
            channelStride: plane, channelCount: c)
    }

    /// The flat index in x of every group-major position (`offsets[g * groupSize + j]` is group
    /// g's j-th entry) and the channel of gamma and beta that entry takes: one division per row of
    /// a group, none per entry.
    public func indexMaps() -> (offsets: [Int], channels: [Int]) {
        let count = groupCount * groupSize
        var offsets = [Int](repeating: 0, count: count)
        var channels = [Int](repeating: 0, count: count)
        offsets.withUnsafeMutableBufferPointer { offsets in
            channels.withUnsafeMutableBufferPointer { channels in
                var position = 0
                for g in 0..<groupCount {
                    let base = (g / groupsPerBlock) * blockStride + (g % groupsPerBlock) * groupStride
                    for a in 0..<outerCount {
                        let row = base + a * outerStride
                        var channel = (row / channelStride) % channelCount
                        var within = row % channelStride
                        for b in 0..<innerCount {
                            offsets[position] = row + b
                            channels[position] = channel
                            position += 1
                            within += 1
                            if within == channelStride {
                                within = 0
                                channel = channel + 1 == channelCount ? 0 : channel + 1
                            }
                        }
                    }
                }
            }
        }
        return (offsets, channels)
    }
}
