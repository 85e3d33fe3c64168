import Foundation
import MixEngine
import MixTesting
import Testing

@Suite("a stem's loudness by either meter")
struct StemLoudnessTests {
    /// 12 s of a voice-like tone with quiet stretches and a silent gap, so both gates matter.
    static func signal(channelCount: Int, rate: Int) -> [[Float]] {
        let count = rate * 12
        let noise = SignalGenerator.noise(frameCount: count, amplitude: 0.2, seed: 21)
        let left: [Float] = (0..<count).map { i in
            let t = Double(i) / Double(rate)
            let level = [0.8, 0.2, 0.05, 0][Int(t / 1.5) % 4]
            return Float(level * 0.5 * sin(2 * Double.pi * 220 * t)) + noise[i] * Float(level)
        }
        let right = left.enumerated().map { $0.element * 0.6 + noise[($0.offset + 777) % count] * 0.05 }
        return channelCount == 1 ? [left] : [left, right]
    }

    /// libebur128 runs in histogram mode, which counts each gating block at its 0.1 LU bin's
    /// centre: its own reading is good to about ±0.05 LU, and that is the tolerance here.
    @Test("the engine's meter reads within 0.05 LU of libebur128, mono counted once", arguments: [1, 2], [44_100, 48_000])
    func engineMatchesReference(channelCount: Int, rate: Int) throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("Lead.wav")
        try AudioFixture.write(Self.signal(channelCount: channelCount, rate: rate), to: url, type: .wav(bits: 24), sampleRate: rate)
        let reference = try #require(StemScanner.scan(url: url, displayName: "Lead.wav", loudnessMeter: .libebur128).loudnessLUFS)
        let engine = try #require(StemScanner.scan(url: url, displayName: "Lead.wav", loudnessMeter: .engine).loudnessLUFS)
        #expect(abs(engine - reference) <= 0.05, "engine \(engine) vs libebur128 \(reference)")
        if channelCount == 1 {
            // The same channel as stereo reads 3 dB louder: the mono file counted it once.
            let stereoURL = folder.file("Lead Stereo.wav")
            let mono = Self.signal(channelCount: 1, rate: rate)[0]
            try AudioFixture.write([mono, mono], to: stereoURL, type: .wav(bits: 24), sampleRate: rate)
            let stereo = try #require(StemScanner.scan(url: stereoURL, displayName: "Lead Stereo.wav", loudnessMeter: .engine).loudnessLUFS)
            #expect(abs(stereo - engine - 3.01) <= 0.02)
        }
    }

    @Test("a surround file is measured by libebur128 either way (its channel weights)")
    func surroundGoesToReference() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("Beat 5.1.wav")
        let tone = Self.signal(channelCount: 1, rate: 48_000)[0]
        let quiet = tone.map { $0 * 0.3 }
        try AudioFixture.write([tone, tone, quiet, quiet, quiet, quiet], to: url, type: .wav(bits: 24), sampleRate: 48_000)
        let reference = StemScanner.scan(url: url, displayName: "Beat 5.1.wav", loudnessMeter: .libebur128).loudnessLUFS
        let engine = StemScanner.scan(url: url, displayName: "Beat 5.1.wav", loudnessMeter: .engine).loudnessLUFS
        #expect(reference != nil && engine == reference)
    }
}
