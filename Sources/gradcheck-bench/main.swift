// gradcheck-bench: times the engine's full gradient check against the notebook's algorithm in
// numpy. Run it through Benchmarks/bench.sh, which generates the networks and the numpy timings
// first (same networks, same run); see that script for the options.
import Foundation
import GradCheck

struct Options {
    var cases = URL(fileURLWithPath: "/tmp/gradcheck-bench")
    var numpy: URL? = nil
    var threads = ProcessInfo.processInfo.activeProcessorCount
    var activation = Activation.relu

    init(_ args: [String]) {
        var it = args.dropFirst().makeIterator()
        while let a = it.next() {
            switch a {
            case "--cases": cases = URL(fileURLWithPath: it.next()!)
            case "--numpy": numpy = URL(fileURLWithPath: it.next()!)
            case "--threads": threads = Int(it.next()!)!
            case "--activation": activation = Activation(rawValue: it.next()!)!
            default: fatalError("unknown option \(a) (have --cases DIR --numpy FILE --threads N --activation NAME)")
            }
        }
    }
}

/// Median seconds of `body`, repeated until about `budget` seconds have passed (at least 3 runs).
func medianSeconds(budget: Double = 0.5, _ body: () -> Void) -> Double {
    var samples: [Double] = []
    let clock = ContinuousClock()
    var spent = 0.0
    while samples.count < 3 || (spent < budget && samples.count < 200) {
        let d = clock.measure(body)
        let s = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        samples.append(s)
        spent += s
    }
    return samples.sorted()[samples.count / 2]
}

func seconds(_ body: () -> Void) -> Double {
    let d = ContinuousClock().measure(body)
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

let options = Options(CommandLine.arguments)
var numpyRows: [String: [String: Any]] = [:]
if let url = options.numpy, let text = try? String(contentsOf: url, encoding: .utf8) {
    for line in text.split(separator: "\n") {
        if let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let name = obj["name"] as? String {
            numpyRows[name] = obj
        }
    }
}
let names = (try FileManager.default.contentsOfDirectory(atPath: options.cases.path))
    .filter { $0.hasSuffix(".bin") }.map { String($0.dropLast(4)) }
    .sorted { $0.split(separator: "-").first.flatMap { Int($0) } ?? 0 < $1.split(separator: "-").first.flatMap { Int($0) } ?? 0 }

print("gradcheck-bench: \(options.threads) threads, central eps 1e-7, \(options.activation.rawValue) hidden / sigmoid output, float64")
print("times: forward/backward = engine kernels (median); full = every coordinate, central (median when under 1 s)")
func ms(_ s: Double) -> String { String(format: "%.2f", s * 1000) }

/// The notebook's difference ||g - a|| / (||g|| + ||a||) between the analytic gradient and the
/// numerical derivatives at `coordinates`; with `skipsKinks`, the ones whose step crosses a kink
/// are left out and counted (the complex step has no such crossing to skip).
func notebookDifference(
    analytic: (Coordinate) -> Double, at coordinates: [Coordinate], numerical: [NumericalDerivative], skipsKinks: Bool
) -> (difference: Double, kinks: Int) {
    var differenceSquares = 0.0
    var analyticSquares = 0.0
    var numericalSquares = 0.0
    var kinks = 0
    for (k, coordinate) in coordinates.enumerated() {
        if skipsKinks && numerical[k].crossesKink {
            kinks += 1
            continue
        }
        let g = analytic(coordinate)
        let a = numerical[k].value
        differenceSquares += (g - a) * (g - a)
        analyticSquares += g * g
        numericalSquares += a * a
    }
    return (differenceSquares.squareRoot() / (analyticSquares.squareRoot() + numericalSquares.squareRoot()), kinks)
}

for name in names {
    let bench = try BenchCase(directory: options.cases, name: name)
    var net = bench.network
    // Other activations time the engine's smooth path; numpy's notebook is relu only.
    net.activation = options.activation
    let passes = BenchPasses(network: net, threads: options.threads)
    let fwd = medianSeconds { _ = passes.forward(bench.x, bench.y) }
    let coreFwd = medianSeconds(budget: 0.3) { _ = net.forward(bench.x, labels: bench.y) }
    let cache = passes.forward(bench.x, bench.y)
    let bwd = medianSeconds { _ = passes.backward(bench.x, bench.y, zs: cache.zs, activations: cache.activations) }
    let grads = passes.backward(bench.x, bench.y, zs: cache.zs, activations: cache.activations)

    let engine = FastEngine(threads: options.threads)
    var rng = SystemRandomNumberGenerator()
    var direction: [ParameterID: Matrix] = [:]
    var norm = 0.0
    for id in net.parameterIDs {
        let p = net[id]
        let v = (0..<p.count).map { _ in Double.random(in: -1...1, using: &rng) }
        norm += v.reduce(0) { $0 + $1 * $1 }
        direction[id] = Matrix(rows: p.rows, cols: p.cols, values: v)
    }
    for id in net.parameterIDs {
        direction[id] = Matrix(rows: net[id].rows, cols: net[id].cols, values: direction[id]!.values.map { $0 / norm.squareRoot() })
    }
    var directional = NumericalDerivative(value: 0, crossesKink: false)
    let dir1 = medianSeconds {
        directional = engine.directionalDerivative(
            of: net, inputs: bench.x, labels: bench.y, along: direction, method: .central, step: 1e-7)
    }
    var analyticAlong = 0.0
    for id in net.parameterIDs { analyticAlong += zip(grads[id]!.values, direction[id]!.values).reduce(0) { $0 + $1.0 * $1.1 } }

    var coords: [Coordinate] = []
    for id in net.parameterIDs {
        let p = net[id]
        for r in 0..<p.rows { for c in 0..<p.cols { coords.append(Coordinate(parameter: id, row: r, col: c)) } }
    }
    var result: [NumericalDerivative] = []
    var full = seconds { result = engine.derivatives(of: net, inputs: bench.x, labels: bench.y, at: coords, method: .central, step: 1e-7) }
    if full < 1 {
        // Short enough to repeat: the median of several runs is steadier on a shared machine.
        full = medianSeconds(budget: 1) {
            result = engine.derivatives(of: net, inputs: bench.x, labels: bench.y, at: coords, method: .central, step: 1e-7)
        }
    }
    let analytic = { (c: Coordinate) in grads[c.parameter]![c.row, c.col] }
    let (difference, kinks) = notebookDifference(analytic: analytic, at: coords, numerical: result, skipsKinks: true)
    // Fixed cost of a request: the cached forward pass, sensitivities and kink bounds.
    let setup = medianSeconds(budget: 0.2) {
        _ = engine.derivatives(of: net, inputs: bench.x, labels: bench.y, at: [coords[0]], method: .central, step: 1e-7)
    }
    var complexResult: [NumericalDerivative] = []
    let complexFull = seconds {
        complexResult = engine.derivatives(of: net, inputs: bench.x, labels: bench.y, at: coords, method: .complexStep, step: 1e-20)
    }
    let complexDifference = notebookDifference(analytic: analytic, at: coords, numerical: complexResult, skipsKinks: false).difference

    print("")
    print("\(name): \(coords.count) parameters")
    print("  engine   forward \(ms(fwd)) ms  backward \(ms(bwd)) ms  (core Network.forward \(ms(coreFwd)) ms)")
    print(
        "  engine   full check \(String(format: "%.3f", full)) s  (\(String(format: "%.2f", full / Double(coords.count) * 1e6)) us/coordinate)  difference \(String(format: "%.3e", difference)) over \(coords.count - kinks) coordinates, \(kinks) kink-crossing left out"
    )
    print(
        "  engine   complex-step full check \(String(format: "%.3f", complexFull)) s  difference \(String(format: "%.3e", complexDifference)); per-request setup (forward, sensitivities, kink bounds) \(ms(setup)) ms"
    )
    print(
        "  engine   directional-1 \(ms(dir1)) ms vs 2 forward + 1 backward \(ms(2 * fwd + bwd)) ms: ratio \(String(format: "%.2f", dir1 / (2 * fwd + bwd)))  (numerical \(String(format: "%.6e", directional.value)), grad.u \(String(format: "%.6e", analyticAlong)))"
    )
    // numpy times the notebook with relu hidden units; its tanh / sigmoid forward costs at least
    // as much per coordinate, so for those rows the ratio is a lower bound.
    if let np = numpyRows[name] {
        let npF = np["forward_s"] as! Double
        let npB = np["backward_s"] as! Double
        let measured = np["full_s"] as? Double
        let npFull = measured ?? (np["extrapolated_full_s"] as! Double)
        let label = measured == nil ? "EXTRAPOLATED from \(np["sample_coords"]!) timed coordinates" : "measured"
        print(
            "  numpy    forward \(ms(npF)) ms  backward \(ms(npB)) ms  notebook full check \(String(format: "%.3f", npFull)) s (\(label))")
        let activationNote = options.activation == .relu ? "" : " (numpy timed with relu: a lower bound for \(options.activation.rawValue))"
        print(
            "  ratio    full check: engine is \(String(format: "%.0f", npFull / full))x faster than the numpy notebook algorithm\(measured == nil ? " (vs extrapolated)" : "")\(activationNote)"
        )
    } else {
        print("  numpy    (no timings for this size: run Benchmarks/bench.sh)")
    }
}
