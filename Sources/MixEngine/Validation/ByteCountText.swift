import Foundation

/// Byte counts and durations in the words a producer reads in an error message.
enum ByteCountText {
    /// "512 bytes", "1.5 KB", "3.4 GB" (decimal units, as file managers show them).
    static func describe(_ bytes: UInt64) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) bytes" : "\(String(format: "%.1f", value)) \(units[unit])"
    }
}

/// Durations as "0.3 s", "3 min 20 s", "10 h 0 min".
public enum DurationText {
    /// "1.0 s (48,000 frames)": the duration, and the exact count that two rounded
    /// durations might hide.
    public static func describe(frames: Int64, sampleRate: Double) -> String {
        "\(describe(seconds: Double(frames) / sampleRate)) (\(grouped(frames)) frames)"
    }

    /// 1440000 → "1,440,000".
    static func grouped(_ value: Int64) -> String {
        let digits = String(value)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return result
    }

    public static func describe(seconds: Double) -> String {
        guard seconds.isFinite else { return "an unknown time" }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \((whole % 3600) / 60) min"
    }
}
