import Foundation
import HTTPServer
import JSON
import TestSupport
import Testing

@testable import GradCheckService

/// Every input the fuzzers kept (Tests/Fixtures/fuzz-corpus/<target>/, grown by dev/fuzz.sh)
/// replayed without the fuzzer, under the promises the fuzz targets check: the readers return
/// or throw, a number is read exactly as Double(String) reads it, and each endpoint answers 200 with a JSON object or a 400/422 problem, never a 500.
@Suite struct FuzzCorpusReplayTests {
    static let corpus = Fixtures.url("fuzz-corpus")
    /// The same small budget as the fuzz target, so a kept input replays in milliseconds.
    static let api = GradCheckAPI(limits: ComputeLimits(maxOperations: 1e6))

    /// "<target>/<file>" for every committed corpus file of every target directory.
    static let inputs: [String] = {
        let manager = FileManager.default
        let targets = (try? manager.contentsOfDirectory(atPath: corpus.path)) ?? []
        return targets.sorted().flatMap { target -> [String] in
            var isDirectory: ObjCBool = false
            let path = corpus.appendingPathComponent(target).path
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [] }
            return ((try? manager.contentsOfDirectory(atPath: path)) ?? []).sorted().map { "\(target)/\($0)" }
        }
    }()

    @Test func bothTargetsHaveASmallCommittedCorpus() throws {
        for target in ["json", "api", "number"] {
            #expect(Self.inputs.filter { $0.hasPrefix(target + "/") }.count >= 10, "\(target) corpus")
        }
        let bytes = try Self.inputs.reduce(0) { total, name in
            total + (try Data(contentsOf: Self.corpus.appendingPathComponent(name))).count
        }
        #expect(bytes < 1_000_000, "the committed corpus is meant to stay small: \(bytes) bytes")
    }

    @Test(arguments: inputs)
    func replayedInputKeepsTheContract(_ name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent(name)))
        // The json target's promise: either reader returns or throws its own error type.
        let parsed = try? JSONReader.parse(bytes)
        _ = try? RequestReader.read(bytes)
        // The number target's promise: a number the reader accepts is the one Double(String) gives.
        if case let .number(value)? = parsed {
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(Double(text)?.bitPattern == value.bitPattern, "\(name): \(text) read as \(value)")
        }
        // The api target's promise, checked for every input whichever target kept it.
        for (endpoint, response) in [
            ("forward", Self.api.forward(bytes)), ("backward", Self.api.backward(bytes)),
            ("gradcheck", Self.api.gradcheck(bytes)),
        ] {
            #expect([200, 400, 422].contains(response.status), "\(endpoint) answered \(response.status) to \(name)")
            let expectedType = response.status == 200 ? APIResponse.jsonContentType : ProblemDocument.contentType
            #expect(response.contentType == expectedType, "\(endpoint) content type for \(name)")
            let object = try? JSONSerialization.jsonObject(with: Data(response.body))
            #expect(object is [String: Any], "\(endpoint) body for \(name) is not a JSON object")
        }
    }
}
