/// The Prometheus text exposition format 0.0.4: `# HELP`, `# TYPE`, then `name{labels} value`
/// lines, families one after another. Small enough to write by hand instead of adding a metrics
/// framework (and its build time) to the service.
struct PrometheusText {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private(set) var text = ""

    mutating func family(_ name: String, _ type: String, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        sample(name, labels, Self.format(value))
    }

    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Int) {
        sample(name, labels, String(value))
    }

    mutating func sample(_ name: String, _ value: Double) { sample(name, [], Self.format(value)) }
    mutating func sample(_ name: String, _ value: Int) { sample(name, [], String(value)) }

    /// A family of one unlabelled sample: its HELP and TYPE lines, then its value.
    mutating func metric(_ name: String, _ type: String, _ help: String, _ value: Int) {
        family(name, type, help)
        sample(name, value)
    }

    mutating func metric(_ name: String, _ type: String, _ help: String, _ value: Double) {
        family(name, type, help)
        sample(name, value)
    }

    /// A counter family with one sample per key, in the keys' order, so two scrapes diff cleanly.
    mutating func counter<Key: PrometheusSeries>(_ name: String, _ help: String, _ counts: [Key: Int]) {
        family(name, "counter", help)
        for (key, count) in counts.sorted(by: { $0.key < $1.key }) { sample(name, key.labels, count) }
    }

    private mutating func sample(_ name: String, _ labels: [(String, String)], _ value: String) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " " + value + "\n"
    }

    /// Go's float syntax as Prometheus reads it: `+Inf`, `-Inf`, `NaN`, otherwise Swift's
    /// shortest round-trip form (`0.005`, `1e-05`).
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return "\(value)"
    }

    /// Label values escape backslash, double quote and line feed (the format's only escapes).
    static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}

/// The labels that name one series of a family; ordered, so the exposition is.
protocol PrometheusSeries: Hashable, Comparable {
    var labels: [(String, String)] { get }
}
