/// A hyper-parameter as the request sent it: a number (`stride`, `eps`, `p`), a word (`mode`) or
/// an array (dropout's `mask`). The service turns JSON into these; the core never sees JSON.
public enum HyperValue: Sendable, Equatable {
    case number(Double)
    case text(String)
    case tensor(Tensor)
}

/// Reads a layer's hyper-parameters with their type and range checks, remembering every name it
/// was asked for, so a name the layer does not take is refused with the list of those it does.
public struct HyperReader: Sendable {
    public let values: [String: HyperValue]
    /// Where the layer sits in the request (`layer.` or `layers[2].`): errors name `prefix + name`.
    public let prefix: String
    /// The names the layer asked for, in the order it asked.
    public private(set) var known: [String] = []

    public init(_ values: [String: HyperValue], prefix: String) {
        self.values = values
        self.prefix = prefix
    }

    private mutating func value(_ name: String) -> HyperValue? {
        if !known.contains(name) { known.append(name) }
        return values[name]
    }

    private func error(_ name: String, _ message: String) -> LayerError {
        LayerError(prefix + name, message)
    }

    /// A whole number >= `atLeast`; `default: nil` makes it required.
    public mutating func integer(_ name: String, default fallback: Int?, atLeast: Int) throws(LayerError) -> Int {
        guard let value = value(name) else {
            guard let fallback else { throw error(name, "missing; this layer requires it") }
            return fallback
        }
        guard case .number(let number) = value else { throw error(name, "expected a whole number") }
        guard number.rounded(.towardZero) == number, number >= Double(atLeast), number <= 1e9 else {
            throw error(name, "must be a whole number >= \(atLeast), got \(number)")
        }
        return Int(number)
    }

    /// A number in (`above`, `atMost`]; `default: nil` makes it required.
    public mutating func number(
        _ name: String, default fallback: Double?, above: Double? = nil, atLeast: Double? = nil, atMost: Double? = nil
    ) throws(LayerError) -> Double {
        guard let value = value(name) else {
            guard let fallback else { throw error(name, "missing; this layer requires it") }
            return fallback
        }
        guard case .number(let number) = value else { throw error(name, "expected a number") }
        if let above, !(number > above) { throw error(name, "must be > \(above), got \(number)") }
        if let atLeast, !(number >= atLeast) { throw error(name, "must be >= \(atLeast), got \(number)") }
        if let atMost, !(number <= atMost) { throw error(name, "must be <= \(atMost), got \(number)") }
        return number
    }

    /// One of `choices`; `default: nil` makes it required.
    public mutating func choice(_ name: String, _ choices: [String], default fallback: String?) throws(LayerError) -> String {
        guard let value = value(name) else {
            guard let fallback else { throw error(name, "missing; expected one of \(choices.joined(separator: ", "))") }
            return fallback
        }
        guard case .text(let text) = value, choices.contains(text) else {
            throw error(name, "expected one of \(choices.joined(separator: ", "))")
        }
        return text
    }

    /// An array; nil when absent and not `required`.
    public mutating func tensor(_ name: String, required: Bool) throws(LayerError) -> Tensor? {
        guard let value = value(name) else {
            if required { throw error(name, "missing; this layer requires it") }
            return nil
        }
        guard case .tensor(let tensor) = value else { throw error(name, "expected an array") }
        return tensor
    }

    /// Refuses a hyper-parameter the layer did not ask for, listing those it takes.
    public func refuseUnknown(type: String) throws(LayerError) {
        for name in values.keys.sorted() where !known.contains(name) {
            let takes = known.isEmpty ? "none" : known.joined(separator: ", ")
            throw error(name, "unknown hyper-parameter for \(type); it takes: \(takes)")
        }
    }
}
