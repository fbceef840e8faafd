import JSON

// The JSON module's targets: they import nothing else, so a finding here is the reader's alone.
extension FuzzTarget {
    static func readJSON(_ bytes: [UInt8]) {
        // Errors are expected answers; only a crash, a hang or a sanitizer report is a finding.
        _ = try? JSONReader.parse(bytes)
    }

    static func compareNumber(_ bytes: [UInt8]) {
        guard case let .number(value)? = try? JSONReader.parse(bytes) else { return }
        let jsonWhitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        let text = String(
            decoding: bytes.drop(while: jsonWhitespace.contains).reversed()
                .drop(while: jsonWhitespace.contains).reversed(), as: UTF8.self)
        guard let expected = Double(text), expected.bitPattern == value.bitPattern else {
            fatalError("number \(text.debugDescription): reader gave \(value), Double(String) gives \(String(describing: Double(text)))")
        }
    }
}
