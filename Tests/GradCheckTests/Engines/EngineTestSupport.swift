@testable import GradCheck

enum EngineTestSupport {
    static func allCoordinates(_ network: Network) -> [Coordinate] {
        network.parameterIDs.flatMap { id -> [Coordinate] in
            let p = network[id]
            return (0..<p.rows).flatMap { r in (0..<p.cols).map { Coordinate(parameter: id, row: r, col: $0) } }
        }
    }

    /// The notebook's formula: ||g - a|| / (||g|| + ||a||).
    static func difference(_ g: [Double], _ a: [Double]) -> Double {
        var num = 0.0
        var ng = 0.0
        var na = 0.0
        for k in 0..<g.count {
            num += (g[k] - a[k]) * (g[k] - a[k])
            ng += g[k] * g[k]
            na += a[k] * a[k]
        }
        return num.squareRoot() / (ng.squareRoot() + na.squareRoot())
    }
}
