import Foundation

/// The heatmaps' colour scale: the per-entry relative error |g - n| / (|g| + |n|) on a log
/// scale, one colour per decade from 1e-16 (rounding) up to 1 (unrelated values).
enum ErrorColourScale {
    /// Decades shown: [1e-16, 1e-15), ..., [1e-1, 1]; below 1e-16 uses the first colour.
    static let lowestDecade = -16
    /// Viridis sampled at 16 points: dark for agreement, yellow for disagreement, readable in
    /// greyscale and by the common colour-blindnesses.
    static let colours = [
        "#440154", "#481a6c", "#472f7d", "#414487", "#39568c", "#31688e", "#2a788e", "#23888e",
        "#1f988b", "#22a884", "#35b779", "#54c568", "#7ad151", "#a5db36", "#d2e21b", "#fde725",
    ]
    /// Entries left out as kinks and entries sample mode did not draw.
    static let kinkColour = "#bdbdbd"
    static let notCheckedColour = "#ffffff"

    static func bin(_ relativeError: Double) -> Int {
        guard relativeError > 0 else { return 0 }
        guard relativeError.isFinite else { return colours.count - 1 }
        let decade = Int((relativeError.log10()).rounded(.down)) - lowestDecade
        return min(max(decade, 0), colours.count - 1)
    }

    static func colour(_ relativeError: Double) -> String { colours[bin(relativeError)] }

    /// Where `value` sits on the legend, 0 (1e-16) to 1 (1).
    static func position(_ value: Double) -> Double {
        guard value > 0 else { return 0 }
        return min(max((value.log10() - Double(lowestDecade)) / Double(-lowestDecade), 0), 1)
    }
}

extension Double {
    fileprivate func log10() -> Double { Foundation.log10(self) }
}
