import Foundation

/// Text for HTML and SVG (XML) documents: every character that could end an element or an
/// attribute is escaped, so request-derived text (tensor names, messages, details) stays text.
enum Markup {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            // XML 1.0 has no control characters but tab and newlines: they would break the SVG.
            case _ where character.value < 0x20 && character != "\t" && character != "\n" && character != "\r": out += "\u{FFFD}"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// Six significant digits: enough to read a tooltip, short enough for 40,000 of them.
    static func number(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        return String(format: "%.6g", x)
    }

    /// Two significant digits, for axes and legends ("1e-07").
    static func short(_ x: Double) -> String {
        String(format: "%.2g", x)
    }
}
