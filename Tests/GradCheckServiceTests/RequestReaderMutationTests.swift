import Foundation
import GradCheck
import TestSupport
import Testing

@testable import GradCheckService

/// Hostile-input smoke test: thousands of byte-level mutations of a real body must each end in a
/// request or a 400/422 `RequestError`, never a crash (libFuzzer goes further; this runs in CI).
@Suite struct RequestReaderMutationTests {
    @Test func mutatedNotebookBodiesNeverCrashTheReader() throws {
        let original = Array(try Data(contentsOf: Fixtures.examples.appendingPathComponent("notebook.json")))
        let interesting = Array("{}[]\",:-+.eE0123456789 \\nNaInfinity\u{0}\u{FF}".utf8)
        var random = SplitMix64(seed: 20_260_426)  // a fixed seed makes any failure reproducible
        var accepted = 0
        var malformed = 0
        var invalid = 0
        for _ in 0..<3_000 {
            var body = original
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let at = Int.random(in: 0..<body.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: body[at] = interesting.randomElement(using: &random)!
                case 1: body.remove(at: at)
                case 2: body.insert(interesting.randomElement(using: &random)!, at: at)
                default: body[at] = UInt8.random(in: 0...255, using: &random)
                }
            }
            do {
                _ = try RequestReader.read(body)
                accepted += 1
            } catch {
                #expect(error.status == 400 || error.status == 422)
                #expect(!error.detail.isEmpty)
                if error.status == 400 { malformed += 1 } else { invalid += 1 }
            }
        }
        // The mutations reach all three outcomes, so the test exercises more than the tokenizer.
        #expect(accepted > 0)
        #expect(malformed > 0)
        #expect(invalid > 0)
    }
}
