import TestSupport
import Testing

@testable import GradCheck

/// What FastEngine does with awkward input: bad coordinates and directions, thread counts.
@Suite struct FastEngineInputTests {
    let p = TestProblem.random(widths: [5, 4, 3, 1], m: 9, activation: .relu, output: .sigmoid, lambd: 0.3, seed: 7)

    @Test func coordinateOutsideTheNetworkIsNaNNotACrash() {
        let bad = [
            Coordinate(parameter: ParameterID(layer: 4, kind: .weight), row: 0, col: 0),
            Coordinate(parameter: ParameterID(layer: 1, kind: .weight), row: 4, col: 0),
            Coordinate(parameter: ParameterID(layer: 1, kind: .bias), row: 0, col: 1),
            Coordinate(parameter: ParameterID(layer: 2, kind: .weight), row: 0, col: -1),
        ]
        let good = Coordinate(parameter: ParameterID(layer: 2, kind: .weight), row: 2, col: 3)
        for method in DifferenceMethod.allCases {
            let out = FastEngine().derivatives(of: p.network, inputs: p.x, labels: p.y, at: bad + [good], method: method, step: 1e-7)
            #expect(out.prefix(4).allSatisfy { $0.value.isNaN })
            #expect(out[4].value.isFinite && out[4].value != 0)
        }
    }

    @Test func directionOfTheWrongShapeIsNaN() {
        let direction = [ParameterID(layer: 1, kind: .weight): Matrix(rows: 5, cols: 4, repeating: 1)]
        let d = FastEngine().directionalDerivative(of: p.network, inputs: p.x, labels: p.y, along: direction, method: .central, step: 1e-7)
        #expect(d.value.isNaN)
    }

    @Test func emptyCoordinateListGivesEmptyResult() {
        #expect(FastEngine().derivatives(of: p.network, inputs: p.x, labels: p.y, at: [], method: .central, step: 1e-7).isEmpty)
    }

    @Test func threadCountDoesNotChangeAnyBit() {
        let coords = EngineTestSupport.allCoordinates(p.network)
        for method in DifferenceMethod.allCases {
            let one = FastEngine(threads: 1).derivatives(of: p.network, inputs: p.x, labels: p.y, at: coords, method: method, step: 1e-7)
            let four = FastEngine(threads: 4).derivatives(of: p.network, inputs: p.x, labels: p.y, at: coords, method: method, step: 1e-7)
            #expect(one == four)
        }
    }
}
