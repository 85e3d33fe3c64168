import Foundation

/// Why a mix could not be made. Each case says what to do or what was wrong.
public enum MixError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stems were rejected (each "file: reason"); nothing was written.
    case rejectedStems([String])
    /// No stem is left to mix (all muted, skipped or none in the folder).
    case nothingToMix(String)
    /// The exported file broke the ceiling: it was removed, never reported as a success.
    case ceilingBroken(measuredDBTP: Double, ceilingDBTP: Double)
    /// The render was cancelled; nothing was written.
    case cancelled
    /// Writing or reading a file failed.
    case io(String)

    public var description: String {
        switch self {
        case .rejectedStems(let reasons):
            return "cannot mix: \(reasons.count == 1 ? "a stem was" : "\(reasons.count) stems were") rejected:\n"
                + reasons.map { "  \($0)" }.joined(separator: "\n")
                + "\n(--skip-invalid mixes the rest)"
        case .nothingToMix(let why): return "nothing to mix: \(why)"
        case .ceilingBroken(let measured, let ceiling):
            return "the mix broke its true-peak ceiling (\(String(format: "%.2f", measured)) dBTP over \(String(format: "%.1f", ceiling)) dBTP); nothing was kept"
        case .cancelled: return "the mix was cancelled"
        case .io(let message): return message
        }
    }
}
