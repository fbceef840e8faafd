import Foundation

/// Sends `signal` to a server process and waits at most `seconds` for it to exit by itself; one
/// that does not is killed (SIGKILL), so a server that fails to drain fails its test instead of
/// hanging the suite. True when it exited by itself.
public func stop(_ process: Process, with signal: Int32 = SIGTERM, within seconds: Double = 30) -> Bool {
    guard process.isRunning else { return true }
    kill(process.processIdentifier, signal)
    let start = DispatchTime.now().uptimeNanoseconds
    while process.isRunning && Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < seconds { usleep(5000) }
    let exited = !process.isRunning
    if !exited { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    return exited
}
