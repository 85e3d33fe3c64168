import Foundation

/// Test signals, computed in double precision and returned as float.
public enum SignalGenerator {
    /// A sine of `frequencyHz` at `amplitude`, `frameCount` frames long.
    public static func sine(
        frequencyHz: Double, sampleRate: Double, frameCount: Int, amplitude: Double = 0.5, phase: Double = 0
    ) -> [Float] {
        (0..<frameCount).map { n in
            Float(amplitude * sin(2 * Double.pi * frequencyHz * Double(n) / sampleRate + phase))
        }
    }

    /// Seeded white noise, uniform in ±amplitude.
    public static func noise(frameCount: Int, amplitude: Double = 0.5, seed: UInt64 = 1) -> [Float] {
        var state = seed
        return (0..<frameCount).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(amplitude * (Double(state >> 11) / Double(1 << 53) * 2 - 1))
        }
    }

    /// Interleaves planar channels of equal length.
    public static func interleave(_ channels: [[Float]]) -> [Float] {
        guard let frameCount = channels.first?.count else { return [] }
        var result = [Float](repeating: 0, count: frameCount * channels.count)
        for frame in 0..<frameCount {
            for channel in channels.indices {
                result[frame * channels.count + channel] = channels[channel][frame]
            }
        }
        return result
    }
}
