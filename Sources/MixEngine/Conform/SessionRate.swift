/// Picks the one sample rate a session is mixed at.
public enum SessionRate {
    /// The rate when there is nothing to go on.
    public static let defaultHz = 48_000

    /// `overrideHz` when given; otherwise the rate most stems share, ties to the higher rate
    /// (the resampler then converts the fewest stems and never throws bandwidth away on a tie).
    public static func choose(stemRates: [Int], overrideHz: Int? = nil) -> Int {
        if let overrideHz { return overrideHz }
        var counts: [Int: Int] = [:]
        for rate in stemRates { counts[rate, default: 0] += 1 }
        return counts.max { ($0.value, $0.key) < ($1.value, $1.key) }?.key ?? defaultHz
    }
}
