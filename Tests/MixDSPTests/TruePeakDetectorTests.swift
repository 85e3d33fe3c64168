import Foundation
import MixDSP
import MixTestSupport
import Testing

@Suite("True-peak detector")
struct TruePeakDetectorTests {
    /// The detector's highest reading over a whole signal (fed a tail of silence to flush it).
    static func detectedDBTP(_ samples: [Float]) -> Double {
        var detector = TruePeakDetector()
        defer { detector.deallocate() }
        var peak: Float = 0
        for sample in samples + [Float](repeating: 0, count: 64) { peak = max(peak, detector.push(sample)) }
        return 20 * log10(Double(peak))
    }

    /// Noise through the limiter's band-limit (12th-order Butterworth at 0.44 × the rate).
    static func bandLimitedNoise(seed: UInt64) -> [Float] {
        var sections = (0..<6).map { k in
            Biquad(.lowPass(cutoffHz: 0.44 * 48_000, q: 1 / (2 * sin(Double(2 * k + 1) * Double.pi / 24)), sampleRate: 48_000))
        }
        var noise = SignalGenerator.noise(frameCount: 48_000, amplitude: 0.5, seed: seed)
        noise.withUnsafeMutableBufferPointer { buffer in
            for k in sections.indices { sections[k].process(buffer) }
        }
        return noise
    }

    @Test("reads within 0.05 dB of an independent 8× scan on band-limited noise", arguments: [1, 2, 3] as [UInt64])
    func bandLimitedNoise(seed: UInt64) {
        let noise = Self.bandLimitedNoise(seed: seed)
        let detected = Self.detectedDBTP(noise)
        let scanned = TruePeakScan.dBTP(noise)
        #expect(abs(detected - scanned) < 0.05, "detected \(detected), scanned \(scanned)")
    }

    @Test("EBU Tech 3341 true-peak sines read within 0.02 dB of their amplitude", arguments: [(4.0, 45.0), (6, 60), (8, 67.5), (4, 0)])
    func interSamplePeaks(divisor: Double, phaseDegrees: Double) {
        // Tapered (as in the EBU signals), so no edge adds a peak of its own.
        let sine = TruePeakLimiterTests.tech3341Sine(div: divisor, amplitude: 0.5, phaseDegrees: phaseDegrees)
        #expect(abs(Self.detectedDBTP(sine) - 20 * log10(0.5)) < 0.02)
        #expect(abs(TruePeakScan.dBTP(sine) - 20 * log10(0.5)) < 0.01)
    }
}
