/// The windows of CS231n's `max_pool_forward_naive` (and of average pooling): x (N, C, H, W),
/// windows pool_height x pool_width moved by `stride`, out (N, C, H', W') with
/// H' = 1 + (H - pool_height) / stride (CS231n refuses a fraction; deeplearning.ai floors it).
struct PoolGeometry: Sendable {
    let n: Int, c: Int, h: Int, w: Int
    let ph: Int, pw: Int
    private(set) var stride: Int
    let ho: Int, wo: Int

    init(x: [Int], poolHeight: Int, poolWidth: Int, stride: Int) {
        (n, c, h, w) = (x[0], x[1], x[2], x[3])
        (ph, pw, self.stride) = (poolHeight, poolWidth, stride)
        ho = (h - ph) / stride + 1
        wo = (w - pw) / stride + 1
    }

    /// The same output grid with windows that move by `step` (a backward that ignores the stride).
    func moving(by step: Int) -> PoolGeometry {
        var copy = self
        copy.stride = step
        return copy
    }

    var outputShape: [Int] { [n, c, ho, wo] }
    var area: Double { Double(ph * pw) }
    /// Whether two windows share an entry (stride smaller than the window along an axis).
    var overlaps: Bool { (ho > 1 && stride < ph) || (wo > 1 && stride < pw) }

    /// Checks x against the pool (`floors`: deeplearning.ai's int(), else CS231n's whole sizes).
    static func check(_ x: Tensor, poolHeight: Int, poolWidth: Int, stride: Int, floors: Bool) throws(LayerError) {
        guard x.rank == 4 else { throw LayerError("x", "has shape \(x.shapeDescription); expected (N, C, H, W)") }
        for (size, pool, name) in [(x.shape[2], poolHeight, "height"), (x.shape[3], poolWidth, "width")] {
            guard size >= pool else {
                throw LayerError("x", "has shape \(x.shapeDescription): its \(name) \(size) is smaller than the pool's \(pool)")
            }
            guard floors || (size - pool) % stride == 0 else {
                throw LayerError(
                    "x",
                    "has shape \(x.shapeDescription): its \(name) - the pool's = \(size - pool) is not a multiple of stride \(stride), so the output \(name) 1 + \(size - pool)/\(stride) is not whole"
                )
            }
        }
    }

    /// Calls `body(window, out)` for every window in numpy's order (n, c, oh, ow), with the flat
    /// indices into x of the window's entries (row-major: argmax order) and its output index.
    func forEachWindow(_ body: (_ window: [Int], _ out: Int) -> Void) {
        var window = [Int](repeating: 0, count: ph * pw)
        var out = 0
        for plane in 0..<(n * c) {
            for oh in 0..<ho {
                for ow in 0..<wo {
                    var k = 0
                    for i in 0..<ph {
                        let row = (plane * h + oh * stride + i) * w + ow * stride
                        for j in 0..<pw {
                            window[k] = row + j
                            k += 1
                        }
                    }
                    body(window, out)
                    out += 1
                }
            }
        }
    }
}
