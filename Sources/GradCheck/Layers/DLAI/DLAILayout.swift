/// deeplearning.ai's image layout (NHWC: `A_prev` (m, n_H, n_W, n_C), `W` (f, f, n_C_prev, n_C),
/// `b` (1, 1, 1, n_C)) against CS231n's (NCHW: x (N, C, H, W), w (F, C, HH, WW), b (F)): the
/// adapters' conversions, so the dlai layers reuse the CS231n arithmetic and slips.
enum DLAILayout {
    /// (m, n_H, n_W, n_C) -> (N, C, H, W) (`transposed([0, 3, 1, 2])` as one tight loop: the
    /// checker converts the images once per perturbed coordinate).
    static func images(_ a: Tensor) -> Tensor {
        let (m, h, w, c) = (a.shape[0], a.shape[1], a.shape[2], a.shape[3])
        return Tensor(shape: [m, c, h, w], values: swapped(a.values, images: m, pixels: h * w, channels: c, toChannelsFirst: true))
    }

    /// (N, C, H, W) -> (m, n_H, n_W, n_C).
    static func imagesBack(_ x: Tensor) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        return Tensor(shape: [n, h, w, c], values: swapped(x.values, images: n, pixels: h * w, channels: c, toChannelsFirst: false))
    }

    /// Per image, a (pixels, channels) matrix transposed to (channels, pixels), or back.
    private static func swapped(_ values: [Double], images: Int, pixels: Int, channels: Int, toChannelsFirst: Bool) -> [Double] {
        [Double](unsafeUninitializedCapacity: values.count) { result, initialized in
            values.withUnsafeBufferPointer { source in
                for image in 0..<images {
                    let base = image * pixels * channels
                    for pixel in 0..<pixels {
                        for channel in 0..<channels {
                            let last = base + pixel * channels + channel
                            let first = base + channel * pixels + pixel
                            if toChannelsFirst { result[first] = source[last] } else { result[last] = source[first] }
                        }
                    }
                }
            }
            initialized = values.count
        }
    }
    /// (f, f, n_C_prev, n_C) -> (F, C, HH, WW).
    static func filters(_ w: Tensor) -> Tensor { w.transposed([3, 2, 0, 1]) }
    /// (F, C, HH, WW) -> (f, f, n_C_prev, n_C).
    static func filtersBack(_ w: Tensor) -> Tensor { w.transposed([2, 3, 1, 0]) }

    /// A CS231n conv bias gradient in dlai's layout: (F) -> (1, 1, 1, n_C); a slip's db summed
    /// over the batch only, (F, H', W') -> (n_H, n_W, n_C); (N, F) is (m, n_C) already.
    static func biasBack(_ db: Tensor) -> Tensor {
        switch db.rank {
        case 1: return db.reshaped([1, 1, 1, db.count])
        case 3: return db.transposed([1, 2, 0])
        default: return db
        }
    }

    /// The flat index in (m, n_H, n_W, n_C) of flat index `flat` in (N, C, H, W) `shape`.
    static func imageIndexBack(_ flat: Int, nchw shape: [Int]) -> Int {
        let (c, h, w) = (shape[1], shape[2], shape[3])
        let col = flat % w
        let row = (flat / w) % h
        let channel = (flat / (w * h)) % c
        let image = flat / (w * h * c)
        return ((image * h + row) * w + col) * c + channel
    }

    /// A LayerError about a CS231n argument renamed to the dlai one it came from.
    static func renamed(_ error: LayerError, _ names: [String: String]) -> LayerError {
        LayerError(names[error.field] ?? error.field, error.message)
    }
}
