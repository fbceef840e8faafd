#if FUZZING
import Foundation

/// The target libFuzzer drives, chosen once per process by `GRADCHECK_FUZZ_TARGET`
/// (dev/fuzz.sh sets it); an unknown name stops the run at the first input.
private let selectedTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["GRADCHECK_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        fatalError("GRADCHECK_FUZZ_TARGET must be one of \(FuzzTarget.allCases.map(\.rawValue)), got '\(name)'")
    }
    return target
}()

/// libFuzzer's entry point; libFuzzer supplies `main` in this build.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : [UInt8](UnsafeBufferPointer(start: data, count: size))
    selectedTarget.run(bytes)
    return 0
}
#endif
