/// The representations `POST /gradcheck` can answer with, picked from the request's `Accept`
/// header (RFC 9110 §12.5.1). JSON stays the default: no `Accept`, an empty one, or `*/*` (what
/// curl sends) get exactly the JSON answer.
public enum ReportFormat: String, Sendable, CaseIterable {
    case json = "application/json"
    case html = "text/html"
    case svg = "image/svg+xml"
    /// Gradescope's autograder results (`GradescopeEncoder`): a test per tensor, partial credit.
    case gradescope = "application/vnd.gradescope+json"
    /// Newline-delimited JSON: progress lines while the check runs, then the JSON answer (or
    /// the problem) as the last line, streamed (`GradCheckApplication.streamedCheck`).
    case ndjson = "application/x-ndjson"

    /// The `Content-Type` of an answer in this format.
    public var contentType: String {
        switch self {
        case .json: "application/json"
        case .html: "text/html; charset=utf-8"
        case .svg: "image/svg+xml"
        case .gradescope: "application/vnd.gradescope+json"
        case .ndjson: "application/x-ndjson"
        }
    }

    /// The format the client prefers most (highest q; on a tie, the order of `allCases`), or nil
    /// when it accepts none of them (406).
    public static func negotiate(accept: String?) -> ReportFormat? {
        guard let accept, !accept.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "," }) else { return .json }
        let ranges = accept.split(separator: ",").compactMap(MediaRange.init)
        var best: (format: ReportFormat, q: Double)?
        for format in allCases {
            // The most specific range that matches decides the format's q (§12.5.1).
            let q = ranges.filter { $0.matches(format.rawValue) }.max { $0.specificity < $1.specificity }?.q ?? 0
            if q > 0 && q > (best?.q ?? 0) { best = (format, q) }
        }
        return best?.format
    }

    /// Whether `accept` takes `format` at all (q > 0 for the most specific range that matches it;
    /// no header, an empty one or `*/*` take JSON).
    public static func accepts(_ format: ReportFormat, accept: String?) -> Bool {
        guard let accept, !accept.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "," }) else { return format == .json }
        let ranges = accept.split(separator: ",").compactMap(MediaRange.init)
        return (ranges.filter { $0.matches(format.rawValue) }.max { $0.specificity < $1.specificity }?.q ?? 0) > 0
    }

    /// The detail of `POST /gradcheck/merge`'s 406: it answers JSON only.
    public static let mergeNotAcceptableDetail =
        "POST /gradcheck/merge answers application/json only (*/* or no Accept header take it); this request's Accept header does not; fetch the HTML, SVG or Gradescope answer from POST /gradcheck unsharded"

    /// The detail of the 406 answer: what can be asked for instead.
    public static var notAcceptableDetail: String {
        "POST /gradcheck answers " + allCases.map(\.rawValue).joined(separator: ", ")
            + " (*/* or no Accept header: application/json); none of them is acceptable to this request's Accept header"
    }
}

/// One element of an `Accept` header: `type/subtype;param=value;q=0.5`.
struct MediaRange {
    let type: String
    let subtype: String
    let q: Double

    /// nil for an element that is not a media range, or whose q is not a valid qvalue (§12.4.2):
    /// such an element is ignored, not guessed at.
    init?<S: StringProtocol>(_ element: S) {
        let parts = element.split(separator: ";").map { $0.withoutOWS().lowercased() }
        guard let range = parts.first else { return nil }
        let halves = range.split(separator: "/", omittingEmptySubsequences: false)
        guard halves.count == 2, !halves[0].isEmpty, !halves[1].isEmpty, !(halves[0] == "*" && halves[1] != "*") else { return nil }
        type = String(halves[0])
        subtype = String(halves[1])
        var q = 1.0
        for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
            let text = parameter.dropFirst(2)
            guard text.count <= 5, let value = Double(text), value >= 0, value <= 1 else { return nil }
            q = value
        }
        self.q = q
    }

    /// 2 for type/subtype, 1 for type/*, 0 for */*.
    var specificity: Int { type == "*" ? 0 : subtype == "*" ? 1 : 2 }

    func matches(_ mediaType: String) -> Bool {
        let halves = mediaType.split(separator: "/")
        return (type == "*" || type == halves[0]) && (subtype == "*" || subtype == halves[1])
    }
}

extension StringProtocol {
    fileprivate func withoutOWS() -> String {
        let isTrimmed: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isTrimmed($0) }) else { return "" }
        let last = lastIndex(where: { !isTrimmed($0) })!
        return String(self[first...last])
    }
}
