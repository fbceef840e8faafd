import Foundation

/// Waits for a state the server reaches on its own threads (a gauge, a log line), polling every
/// millisecond, instead of sleeping a guessed time. The bound only ends a wait that would hang:
/// it is generous, so a machine busy with other builds does not fail a correct server.
public func eventually(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let start = DispatchTime.now().uptimeNanoseconds
    while !condition() {
        if Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 > seconds { return false }
        usleep(1000)
    }
    return true
}
