import ArgumentParser
import Foundation
import HTTPServer

// Values as the flags spell them. Each prints its default as a person would type it (`10`, not
// `10.0`; `1e11`, not `100000000000.0`); the ranges are checked in `validate()`, which names the
// flag.

/// Seconds, whole or not (`--idle-timeout 1.5`).
struct Seconds: ExpressibleByArgument, Sendable, Equatable {
    var value: Double

    init(_ duration: Duration) { value = duration.inSeconds }

    init?(argument: String) {
        guard let value = Double(argument) else { return nil }
        self.value = value
    }

    var duration: Duration { .seconds(value) }

    /// `10`, `1.5`; a value no `Int` holds (`inf`, `1e300`) as `Double` prints it.
    var defaultValueDescription: String {
        value.isFinite && value == value.rounded() && value.magnitude < 1e15 ? String(Int(value)) : String(value)
    }
}

/// An operation count, large enough to be written in scientific notation (`--max-work 1e9`).
struct OperationCount: ExpressibleByArgument, Sendable, Equatable {
    var value: Double

    init(_ value: Double) { self.value = value }

    init?(argument: String) {
        guard let value = Double(argument) else { return nil }
        self.value = value
    }

    /// `1e11` for 100000000000.
    var defaultValueDescription: String { String(format: "%g", value).replacingOccurrences(of: "e+", with: "e") }
}

/// A size in bytes, its default also in MiB when whole (`67108864 = 64 MiB`).
struct ByteCount: ExpressibleByArgument, Sendable, Equatable {
    var value: Int

    init(_ value: Int) { self.value = value }

    init?(argument: String) {
        guard let value = Int(argument) else { return nil }
        self.value = value
    }

    var defaultValueDescription: String {
        value > 0 && value % (1 << 20) == 0 ? "\(value) = \(value >> 20) MiB" : String(value)
    }
}

/// `text` or `json`; `--help` lists them.
extension LogFormat: ExpressibleByArgument {}
