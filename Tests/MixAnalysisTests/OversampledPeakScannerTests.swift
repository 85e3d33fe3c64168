import Foundation
import MixAnalysis
import MixDSP
import MixTestSupport
import Testing

@Suite("True-peak readings against an ideal (FFT) interpolation")
struct OversampledPeakScannerTests {
    /// Faded in and out over 1000 samples, so no abrupt edge rings in any interpolation.
    static func faded(_ samples: [Float]) -> [Float] {
        samples.enumerated().map { index, sample in
            let edge = Double(min(index, samples.count - 1 - index))
            return edge >= 1000 ? sample : sample * Float(0.5 - 0.5 * cos(Double.pi * edge / 1000))
        }
    }

    /// Band-limited test signals whose true peak falls between samples.
    static let signals: [(name: String, samples: [Float])] = {
        let rate = 48_000.0
        let quarter = faded((0..<9600).map { Float(0.9 * sin(Double.pi / 2 * Double($0) + Double.pi / 4)) })
        let high = faded((0..<9600).map { Float(0.7 * sin(2 * Double.pi * 19_000 / rate * Double($0) + 0.3)) })
        // Noise low-passed at 18 kHz by a windowed sinc: dense inter-sample overshoots.
        let noise = SignalGenerator.noise(frameCount: 20_000, amplitude: 0.5, seed: 5)
        let taps = 101
        let kernel = (0..<taps).map { k -> Float in
            let x = Double(k - taps / 2)
            let cutoff = 18_000 / rate
            let sinc = x == 0 ? 2 * cutoff : sin(2 * Double.pi * cutoff * x) / (Double.pi * x)
            return Float(sinc * (0.54 - 0.46 * cos(2 * Double.pi * Double(k) / Double(taps - 1))))
        }
        let filtered = (0..<(noise.count - taps)).map { n in (0..<taps).reduce(Float(0)) { $0 + kernel[$1] * noise[n + $1] } }
        return [("fs/4 sine at 45°", quarter), ("19 kHz sine", high), ("band-limited noise", filtered)]
    }()

    @Test("the 8× scanner reads within 0.05 dB of the ideal, in any block size", arguments: [0, 1, 2])
    func scanner(signal: Int) {
        let (name, samples) = Self.signals[signal]
        let ideal = TruePeakScan.dBTP(samples)
        // The sines' peaks are known exactly: 0.9 and 0.7.
        if signal == 0 { #expect(abs(ideal - 20 * log10(0.9)) < 0.01) }
        if signal == 1 { #expect(abs(ideal - 20 * log10(0.7)) < 0.01) }
        for blockFrameCount in [1, 64, 1000, 100_000] {
            let scanner = OversampledPeakScanner(maxFrameCount: blockFrameCount)
            var offset = 0
            samples.withUnsafeBufferPointer { buffer in
                while offset < samples.count {
                    let n = min(blockFrameCount, samples.count - offset)
                    scanner.add(buffer.baseAddress! + offset, count: n)
                    offset += n
                }
            }
            scanner.finish()
            #expect(abs(scanner.peakDBTP! - ideal) <= 0.05, "\(name), blocks of \(blockFrameCount): \(scanner.peakDBTP!) vs \(ideal)")
        }
    }

    @Test("the stereo 4× meter reads within 0.3 dB of the ideal and never far over it", arguments: [0, 2])
    func meter(signal: Int) {
        let (name, samples) = Self.signals[signal]
        let ideal = TruePeakScan.dBTP(samples)
        let meter = TruePeakMeter(maxFrameCount: 512)
        let silence = [Float](repeating: 0, count: samples.count)
        samples.withUnsafeBufferPointer { s in
            silence.withUnsafeBufferPointer { z in meter.add(left: z.baseAddress!, right: s.baseAddress!, frameCount: s.count) }
        }
        let reading = Decibels.fromAmplitude(Double(meter.read()))
        #expect(reading <= ideal + 0.05 && reading >= ideal - 0.3, "\(name): \(reading) vs \(ideal)")
        #expect(meter.read() == 0, "a reading starts a new period")
    }
}
