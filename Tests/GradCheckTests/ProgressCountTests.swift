import TestSupport
import Testing

@testable import GradCheck

/// The engine counts its work on the `StopSignal`: a finished check has done every coordinate
/// (or direction) it expected, which is what the NDJSON progress lines report.
@Suite struct ProgressCountTests {
    @Test(arguments: [GradientCheckOptions.Mode.full, .sample(count: 7, seed: 1), .directional(count: 5, seed: 2)])
    func aFinishedCheckHasDoneEverything(_ mode: GradientCheckOptions.Mode) throws {
        let p = TestProblem.random(widths: [6, 5, 1], m: 4, activation: .tanh, output: .sigmoid, lambd: 0, seed: 4)
        let stop = StopSignal()
        #expect(stop.progress == (0, 0))
        _ = try GradientChecker(engine: FastEngine(threads: 2)).check(
            p.network, inputs: p.x, labels: p.y,
            options: GradientCheckOptions(mode: mode), stop: stop)
        let expected: Int
        switch mode {
        case .full: expected = p.network.parameterCount
        case .sample(let count, _): expected = count
        case .directional(let count, _): expected = count
        }
        #expect(stop.progress == (expected, expected))
    }
}
