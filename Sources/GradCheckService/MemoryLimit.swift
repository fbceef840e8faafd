import Foundation

/// Where the default `--max-memory` comes from: the container's cgroup memory limit when one is
/// set (cgroup v2 `memory.max`, or v1 `memory.limit_in_bytes`), otherwise physical memory.
///
/// The budget is a share of that ceiling, minus a fixed headroom, because it counts the bytes
/// requests ask for, not the pages the process holds: the binary and its stacks, allocator
/// fragmentation and short-lived copies live in the rest.
public enum MemoryLimit {
    /// Share of a container's limit the budget may use.
    public static let containerShare = 0.75
    /// Share of physical memory the budget may use when no container limit is set: the machine
    /// is shared with other processes.
    public static let physicalShare = 0.5
    /// Subtracted from either share: the process's own footprint (about 20 MiB resident) and margin.
    public static let headroomBytes = 48 << 20
    /// Never less than this, so a tiny limit still admits a notebook-sized request.
    public static let smallestBudget = 16 << 20

    /// The budget for this process, and a few words on where it came from (for the startup line).
    public static func defaultBudget(cgroupRoot: String = "/sys/fs/cgroup") -> (bytes: Int, source: String) {
        let physical = Int(clamping: ProcessInfo.processInfo.physicalMemory)
        if let limit = containerLimit(cgroupRoot: cgroupRoot), limit < physical {
            return (max(smallestBudget, Int(Double(limit) * containerShare) - headroomBytes), "3/4 of the cgroup memory limit \(limit) B")
        }
        return (max(smallestBudget, Int(Double(physical) * physicalShare) - headroomBytes), "1/2 of physical memory \(physical) B")
    }

    /// The memory limit of this process's cgroup, or nil when there is none ("max", absent, or
    /// v1's "unlimited" page-rounded Int64.max).
    public static func containerLimit(cgroupRoot: String = "/sys/fs/cgroup") -> Int? {
        let own = ownCgroupPaths()
        var candidates: [String] = []
        // cgroup v2: "0::/path" in /proc/self/cgroup; inside a container usually "/".
        if let path = own.v2 { candidates.append("\(cgroupRoot)\(path == "/" ? "" : path)/memory.max") }
        candidates.append("\(cgroupRoot)/memory.max")
        // cgroup v1: "N:memory:/path".
        if let path = own.v1Memory { candidates.append("\(cgroupRoot)/memory\(path == "/" ? "" : path)/memory.limit_in_bytes") }
        candidates.append("\(cgroupRoot)/memory/memory.limit_in_bytes")
        for file in candidates {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if value == "max" { return nil }
            if let bytes = Int(value), bytes > 0, bytes < 1 << 60 { return bytes }
            if Int(value) != nil { return nil }
        }
        return nil
    }

    private static func ownCgroupPaths() -> (v2: String?, v1Memory: String?) {
        guard let text = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) else { return (nil, nil) }
        var v2: String?
        var v1: String?
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[0] == "0" && parts[1].isEmpty { v2 = String(parts[2]) }
            if parts[1].split(separator: ",").contains("memory") { v1 = String(parts[2]) }
        }
        return (v2, v1)
    }
}
