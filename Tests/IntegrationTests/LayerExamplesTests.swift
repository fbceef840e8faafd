import Foundation
import GradCheck
import TestSupport
import Testing

/// The bodies in scripts/examples/layers (written by dev/layer-references/examples.py) get the
/// verdict their file names promise: `<name>.json` passes with no root cause;
/// `<name>.fails-<gradient>-<kind>.json` fails, and a root cause names that gradient and kind.
/// And docs/layers.md's tables list every layer type of `LayerCatalog` under its convention,
/// with its argument, upstream and gradient names.
@Suite struct LayerExamplesTests {
    static let folder = Fixtures.examples.appendingPathComponent("layers")

    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    /// What a file's name promises: nil (passes), or the gradient and the slip kind named.
    static func expectedSlip(_ file: String) -> (gradient: String, kind: String)? {
        let stem = String(file.dropLast(".json".count))
        guard let marker = stem.range(of: ".fails-") else { return nil }
        let rest = stem[marker.upperBound...]
        guard let dash = rest.firstIndex(of: "-") else { return (String(rest), "") }
        return (String(rest[..<dash]), String(rest[rest.index(after: dash)...]))
    }

    @Test func everyLayerTypeHasAnExample() {
        #expect(Self.files.count >= LayerCatalog.all.count)
        for type in LayerCatalog.all {
            let prefix = "\(type.convention.rawValue)-\(type.name)"
            let found = Self.files.contains { $0 == prefix + ".json" || $0.hasPrefix(prefix + "-") }
            #expect(found, "no example for \(type.convention.rawValue) \(type.name)")
        }
        for file in Self.files where Self.expectedSlip(file) != nil {
            let kind = Self.expectedSlip(file)!.kind
            #expect(LayerSlipKind(rawValue: kind) != nil, "\(file): \(kind) is no LayerSlipKind")
        }
    }

    @Test(arguments: files)
    func theExampleGetsTheVerdictItsNameSays(_ file: String) throws {
        let client = try ServiceClient(.inProcess)
        defer { client.close() }
        let body = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent(file)))
        let response = try client.post("/gradcheck", body: body)
        #expect(response.status == 200, "\(file): \(String(decoding: response.body, as: UTF8.self).prefix(400))")
        let check = try #require(Bodies.object(response), "\(file)")
        let causes = check["root_causes"] as? [[String: Any]] ?? []
        if let (gradient, kind) = Self.expectedSlip(file) {
            #expect(check["passed"] as? Bool == false, "\(file)")
            let named = causes.contains { $0["gradient"] as? String == gradient && $0["kind"] as? String == kind }
            #expect(named, "\(file): root causes \(causes.map { "\($0["gradient"] ?? "") \($0["kind"] ?? "")" })")
        } else {
            #expect(check["passed"] as? Bool == true, "\(file): \(check["message"] ?? "")")
            #expect(causes.isEmpty, "\(file): \(causes)")
        }
    }

    /// The service's own backward is never called wrong, at any step a caller may send: at 1e-2
    /// the central differences' truncation is above the threshold (judged on an extrapolation),
    /// at 1e-11 rounding puts a tie's one-sided quotients only tens of noise apart (still a
    /// kink). Passed, or inconclusive where rounding leaves nothing to judge; never failed.
    @Test(arguments: files.filter { expectedSlip($0) == nil })
    func theServicesOwnBackwardIsNeverCalledWrongAtAnyStep(_ file: String) throws {
        let client = try ServiceClient(.inProcess)
        defer { client.close() }
        var body = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: Self.folder.appendingPathComponent(file))) as? [String: Any])
        body["gradients"] = nil
        for epsilon in [1e-2, 1e-4, 1e-9, 1e-11] {
            body["epsilon"] = epsilon
            let response = try client.post("/gradcheck", body: [UInt8](try JSONSerialization.data(withJSONObject: body)))
            #expect(response.status == 200, "\(file) at \(epsilon): \(String(decoding: response.body, as: UTF8.self).prefix(300))")
            let check = try #require(Bodies.object(response), "\(file)")
            let earned = check["passed"] as? Bool == true || check["inconclusive"] as? Bool == true
            #expect(earned, "\(file) at epsilon \(epsilon): \(check["message"] ?? "")")
        }
    }

    /// docs/layers.md, cut into the sections its `## ` headings start.
    static func documentSections() throws -> [String: String] {
        let url = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/layers.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        var sections: [String: String] = [:]
        var heading = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") {
                heading = String(line.dropFirst(3))
            } else {
                sections[heading, default: ""] += line + "\n"
            }
        }
        return sections
    }

    @Test(arguments: LayerConvention.allCases)
    func theDocumentsTableListsEveryLayerType(_ convention: LayerConvention) throws {
        let sections = try Self.documentSections()
        let section = try #require(
            sections.first { $0.key.hasPrefix("The \(convention.rawValue) convention") }?.value,
            "docs/layers.md has no \"## The \(convention.rawValue) convention\" section")
        var rows: [String: String] = [:]
        for line in section.split(separator: "\n") where line.hasPrefix("| `") {
            let first = line.dropFirst(3).prefix { $0 != "`" }
            rows[String(first)] = String(line)
        }
        let names = LayerCatalog.names(convention)
        #expect(Set(rows.keys) == Set(names), "table rows \(rows.keys.sorted()) vs the catalog's \(names.sorted())")
        for type in LayerCatalog.all where type.convention == convention {
            guard let row = rows[type.name] else { continue }
            // The required hyper-parameters (group norm's G, dropout's p and mask) with any value.
            let required: [String: HyperValue] = ["G": .number(1), "p": .number(0.5), "mask": .tensor(Tensor(shape: [1], values: [1]))]
            var hyper = HyperReader(required, prefix: "layer.")
            let layer = try #require(try? type.make(&hyper), "\(type.name) cannot be made")
            let listed = layer.inputNames + layer.upstreamNames + layer.gradientInputs.map(\.gradient)
            for name in listed {
                #expect(row.contains("`\(name)`"), "docs/layers.md, \(convention.rawValue) \(type.name): `\(name)` is not in its row")
            }
        }
    }
}
