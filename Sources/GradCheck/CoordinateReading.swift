/// One checked coordinate as the verdict reads it: the analytic value (0 where the caller's
/// tensor has no such entry), the engine's estimate, and the rounding model's error estimate
/// there. A full check and a shard of one read their coordinates the same way, here.
struct CoordinateReading {
    let coordinate: Coordinate
    let analytic: Double
    let numeric: NumericalDerivative
    let floorError: Double

    var index: EntryIndex { EntryIndex(row: coordinate.row, col: coordinate.col) }

    /// Hands `body` each of `coordinates` with the engine's estimate of it (`numeric`, in the
    /// same order), one at a time (a full check can have millions, so they are not collected),
    /// and returns a description of the first estimate that is not finite, if any.
    static func read(
        _ coordinates: [Coordinate], _ numeric: [NumericalDerivative], analytic: Gradients, floorModel: RoundingFloor,
        _ body: (CoordinateReading) -> Void
    ) -> String? {
        var nonFinite: String?
        for (coordinate, n) in zip(coordinates, numeric) {
            let id = coordinate.parameter
            if nonFinite == nil && !n.value.isFinite {
                nonFinite =
                    "the numerical gradient of \(id.name) at [\(coordinate.row)][\(coordinate.col)] is not finite: the cost overflows (or is undefined) at theta +/- epsilon; scale the inputs or parameters down"
            }
            body(
                CoordinateReading(
                    coordinate: coordinate, analytic: analytic[id]?[coordinate.row, coordinate.col] ?? 0, numeric: n,
                    floorError: floorModel.errorsPerUnitRoundoff[id]?[coordinate.row, coordinate.col] ?? 0))
        }
        return nonFinite
    }
}
