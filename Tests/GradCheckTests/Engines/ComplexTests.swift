import Foundation
import Testing

@testable import GradCheck

/// The complex functions complex-step relies on: Im f(x + ih) / h must be f'(x) to rounding,
/// including where f saturates (where a naive formula would overflow or cancel).
@Suite struct ComplexTests {
    static let points: [Double] = [-750, -40, -3.2, -0.4, 0.0, 0.7, 2.5, 30, 750]
    let h = 1e-20

    private func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-14 * max(abs(b), 1e-300) || a == b }

    @Test(arguments: points)
    func tanhLogisticSoftplusExpLogDerivatives(_ x: Double) {
        let z = Complex(x, h)
        let sech = 1 / cosh(x)
        #expect(close(Complex.tanh(z).im / h, sech * sech), "tanh' at \(x)")
        #expect(close(Complex.tanh(z).re, Foundation.tanh(x)))
        #expect(close(Complex.logistic(z).im / h, logistic(x) * logistic(-x)), "logistic' at \(x)")
        #expect(close(Complex.softplus(z).im / h, logistic(x)), "softplus' at \(x)")
        #expect(close(Complex.softplus(z).re, softplus(x)), "softplus at \(x)")
        if abs(x) < 700 {
            #expect(close(Complex.exp(z).im / h, exp(x)))
        }
        if x > 0 {
            #expect(close(Complex.log(z).im / h, 1 / x))
        }
    }

    @Test func arithmeticAgreesWithTheDefinitions() {
        let a = Complex(1.5, -2)
        let b = Complex(-0.25, 4)
        let p = a * b
        #expect(p == Complex(1.5 * -0.25 - (-2) * 4, 1.5 * 4 + (-2) * -0.25))
        let q = p / b
        #expect(abs(q.re - a.re) < 1e-15 && abs(q.im - a.im) < 1e-15)
        #expect(Complex.log1p(Complex(1e-30, 1e-20)).im == 1e-20)
    }

    @Test func reluBranchesOnTheRealPart() {
        #expect(Activation.relu.value(Complex(0, 1e-20)) == Complex(0))
        #expect(Activation.relu.value(Complex(1e-300, 1e-20)) == Complex(1e-300, 1e-20))
        #expect(Activation.leakyRelu.value(Complex(-2, 1e-20)) == Complex(-2 * Activation.leakySlope, 1e-20 * Activation.leakySlope))
    }
}
