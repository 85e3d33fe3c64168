import Foundation
import MixAnalysis
import MixTestSupport
import Testing

@Suite("Loudness (libebur128, histogram mode)")
struct LoudnessMeterTests {
    private func measure(_ interleaved: [Float], channels: Int, rate: Int) -> LoudnessMeter {
        let meter = LoudnessMeter(channelCount: channels, sampleRate: rate, measures: [.integrated, .truePeak])!
        interleaved.withUnsafeBufferPointer { meter.add(interleaved: $0.baseAddress!, frameCount: $0.count / channels) }
        return meter
    }

    @Test("EBU Tech 3341 case 1: a stereo 1 kHz sine at −23 dBFS reads −23.0 ± 0.1 LUFS", arguments: [44_100, 48_000])
    func tech3341Case1(rate: Int) {
        let amplitude = pow(10, -23.0 / 20)
        let sine = SignalGenerator.sine(frequencyHz: 1000, sampleRate: Double(rate), frameCount: rate * 20, amplitude: amplitude)
        let meter = measure(SignalGenerator.interleave([sine, sine]), channels: 2, rate: rate)
        #expect(abs(meter.integratedLUFS! + 23) <= 0.1)
    }

    @Test("digital silence has no integrated loudness (nil, never −∞)")
    func silence() {
        let meter = measure([Float](repeating: 0, count: 96_000), channels: 2, rate: 48_000)
        #expect(meter.integratedLUFS == nil)
        #expect(meter.truePeakDBTP == nil)
    }

    @Test("true peak of an fs/4 sine at 45° phase is about 3 dB over its sample peak")
    func truePeakBetweenSamples() {
        let rate = 48_000
        let sine = SignalGenerator.sine(
            frequencyHz: Double(rate) / 4, sampleRate: Double(rate), frameCount: rate, amplitude: 1, phase: Double.pi / 4)
        let samplePeak = Double(sine.map(abs).max()!)
        #expect(abs(20 * log10(samplePeak) + 3.01) < 0.01)
        let meter = measure(SignalGenerator.interleave([sine, sine]), channels: 2, rate: rate)
        // libebur128's 4× oversampling reads within about 0.5 dB of the true 0 dBTP.
        #expect(abs(meter.truePeakDBTP!) < 0.6)
    }

    @Test("true peak of hot noise with a high sine reads an interpolated peak, above the sample peak")
    func truePeakAboveSamplePeak() throws {
        let rate = 48_000
        // A high sine whose peaks fall between samples, so the reading is set by interpolated
        // points (the output check measures the mix with this meter's true peak).
        let noise = SignalGenerator.noise(frameCount: rate * 3, amplitude: 0.6, seed: 11)
        let high = SignalGenerator.sine(frequencyHz: 17_000, sampleRate: Double(rate), frameCount: rate * 3, amplitude: 0.5)
        let left = zip(noise, high).map { $0 + $1 }
        let right = zip(noise.reversed(), high).map { $0 * 0.7 - $1 }
        let interleaved = SignalGenerator.interleave([left, right])
        let meter = measure(interleaved, channels: 2, rate: rate)
        #expect(try #require(meter.truePeakDBTP) > 20 * log10(Double(interleaved.map(abs).max()!)) + 0.01,
            "the reading is an interpolated peak, above the sample peak")
    }
}
