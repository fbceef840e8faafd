import Foundation
import HTTPServer
import TestSupport
import Testing

/// Every input the `http` fuzz target kept (Tests/Fixtures/fuzz-corpus/http/, grown by
/// `dev/fuzz.sh http`), replayed under the same contract without the fuzzer.
@Suite struct ParserFuzzCorpusReplayTests {
    static let directory = Fixtures.url("fuzz-corpus/http")

    static let inputs: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()

    @Test func theCorpusHasSeeds() {
        #expect(Self.inputs.count >= 10)
    }

    @Test(arguments: inputs)
    func keptInputKeepsTheParserContract(_ name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Self.directory.appendingPathComponent(name)))
        #expect(HTTPParserContract.violation(in: bytes) == nil, "\(name)")
    }
}
