import Foundation

/// The standard `process_*` metrics, read from Linux's /proc at scrape time (nil elsewhere or when
/// /proc is not mounted): nothing is counted on the request path.
struct ProcessStatistics {
    var residentBytes: Int
    var cpuSeconds: Double
    var startTimeSeconds: Double
    var openDescriptors: Int

    /// Clock ticks per second of /proc's times: 100 on every Linux ABI Swift runs on.
    static let ticksPerSecond = 100.0
    static let pageBytes = 4096

    static func read() -> ProcessStatistics? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // The fields after "comm)": index 0 is field 3 (state), so field n is at n - 3.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        func field(_ number: Int) -> Double? { fields.count > number - 3 ? Double(fields[number - 3]) : nil }
        guard let userTicks = field(14), let systemTicks = field(15), let startTicks = field(22),
            let residentPages = field(24)
        else { return nil }
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        return ProcessStatistics(
            residentBytes: Int(residentPages) * pageBytes,
            cpuSeconds: (userTicks + systemTicks) / ticksPerSecond,
            startTimeSeconds: bootTime + startTicks / ticksPerSecond,
            openDescriptors: descriptors)
    }

    /// Seconds since the epoch when the machine booted (`btime` in /proc/stat).
    static let bootTime: Double = {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return 0 }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        return 0
    }()
}
