import Foundation

/// Conversions between linear amplitude and decibels (20·log10), with an explicit floor so
/// silence gives a finite number where one is needed.
public enum Decibels {
    /// The level reported for digital silence when a finite value is required.
    public static let silenceFloorDB: Double = -200

    /// `20·log10(amplitude)`, never below `floorDB` (so 0 gives `floorDB`, not −∞).
    @inlinable
    public static func fromAmplitude(_ amplitude: Double, floorDB: Double = silenceFloorDB) -> Double {
        guard amplitude > 0 else { return floorDB }
        return max(floorDB, 20 * log10(amplitude))
    }

    /// `10^(dB/20)`.
    @inlinable
    public static func toAmplitude(_ decibels: Double) -> Double {
        pow(10, decibels / 20)
    }
}
