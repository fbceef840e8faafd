/// Where the engine's inner loops trade a libm call for a short Taylor polynomial.
enum SeriesCutoff {
    /// Below this argument (|x| <= 1e-3) each polynomial the engine uses is exact to rounding:
    /// e^x - 1 through x^6 (first omitted term x^7 / 5040, below 2e-22 of x), log(1 + u) through
    /// u^7 (u^8 / 8, below 2e-22 of u), tanh through d^7 (62 d^9 / 2835, below 3e-26 of d); all
    /// far below float64's 1.1e-16. Above it the libm function is called: the polynomials would
    /// need more terms, and the saving would shrink.
    static let smallArgument = 1e-3
}
