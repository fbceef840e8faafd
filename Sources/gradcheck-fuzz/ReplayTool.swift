#if !FUZZING
import Foundation

/// Without the fuzzer: `gradcheck-fuzz <target> <files or directories...>` runs each input through
/// the same target function, so a crash file libFuzzer wrote reproduces under a plain debugger.
@main
enum ReplayTool {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count > 1 else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
            FileHandle.standardError.write(Data("usage: gradcheck-fuzz <\(names)> <file or directory>...\n".utf8))
            exit(2)
        }
        var count = 0
        for path in arguments.dropFirst() {
            for file in inputs(at: path) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    FileHandle.standardError.write(Data("cannot read \(file)\n".utf8))
                    exit(1)
                }
                target.run([UInt8](data))
                count += 1
            }
        }
        print("\(name): \(count) inputs ran clean")
    }

    /// The file itself, or the regular files directly inside a directory, sorted.
    private static func inputs(at path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return [path]
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().map { path + "/" + $0 }
    }
}
#endif
