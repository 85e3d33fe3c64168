import Foundation
import MixEngine
import MixTesting
import Testing

@Suite("Conforming stems to the session")
struct ConformTests {
    /// 0.5 s of silence, then a 1 kHz burst of 0.2 s, then 0.3 s of silence.
    static func lateBurst(rate: Int) -> [Float] {
        let silence = [Float](repeating: 0, count: rate / 2)
        let burst = SignalGenerator.sine(frequencyHz: 1000, sampleRate: Double(rate), frameCount: rate / 5, amplitude: 0.5)
        return silence + burst + [Float](repeating: 0, count: rate * 3 / 10)
    }

    private static func onsetSeconds(_ samples: [Float], rate: Int) -> Double {
        Double(samples.firstIndex { abs($0) > 0.01 }!) / Double(rate)
    }

    @Test("leading silence is kept across a rate change (the artist's timing)", arguments: [44_100, 48_000, 96_000])
    func leadingSilence(sourceRate: Int) throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("Lead.wav")
        let source = Self.lateBurst(rate: sourceRate)
        try AudioFixture.write([source], to: url, type: .wavFloat(bits: 32), sampleRate: sourceRate)
        let reader = try ConformedStemReader(url: url, sourceFrameCount: Int64(source.count), sessionRate: 48_000, sessionFrameCount: 48_000)
        let (left, _) = AudioFixture.readConformed(reader)
        #expect(left.count == 48_000)
        // soxr compensates its own delay: the burst starts where it started, within 1 ms.
        #expect(abs(Self.onsetSeconds(left, rate: 48_000) - 0.5) < 0.001)
        #expect(left[0..<23_000].allSatisfy { abs($0) < 1e-4 })
    }

    @Test("a shorter stem is padded with silence at the end to the session's length")
    func paddingAtEnd() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("Adlibs.wav")
        let short = SignalGenerator.sine(frequencyHz: 300, sampleRate: 48_000, frameCount: 30_000, amplitude: 0.4)
        try AudioFixture.write([short, short], to: url, type: .wav(bits: 24), sampleRate: 48_000)
        let reader = try ConformedStemReader(url: url, sourceFrameCount: 30_000, sessionRate: 48_000, sessionFrameCount: 100_000)
        #expect(reader.stemFrameCount == 30_000)
        let (left, right) = AudioFixture.readConformed(reader, blockFrameCount: 4096)
        #expect(left.count == 100_000 && right.count == 100_000)
        #expect(left[30_000...].allSatisfy { $0 == 0 })
        #expect(abs(left[29_000] - short[29_000]) < 1e-6)
        // Reading past the end gives nothing more.
        var extra: Float = 0, extraRight: Float = 0
        #expect(reader.read(left: &extra, right: &extraRight, frameCount: 1) == 0)
    }

    @Test("mono becomes the same signal on both sides")
    func monoToStereo() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("Harm.wav")
        let tone = SignalGenerator.sine(frequencyHz: 523, sampleRate: 44_100, frameCount: 22_050)
        try AudioFixture.write([tone], to: url, type: .wav(bits: 16), sampleRate: 44_100)
        let reader = try ConformedStemReader(url: url, sourceFrameCount: 22_050, sessionRate: 48_000, sessionFrameCount: 24_000)
        let (left, right) = AudioFixture.readConformed(reader)
        #expect(left == right)
        #expect(left.contains { abs($0) > 0.4 })
    }

    @Test("the output does not depend on the block size it is read in", arguments: [1, 64, 65, 512, 8192, 8193])
    func blockSizeInvariance(blockFrameCount: Int) throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("Beat.wav")
        let noise = SignalGenerator.noise(frameCount: 20_000, amplitude: 0.5, seed: 7)
        try AudioFixture.write([noise, noise.reversed()], to: url, type: .wav(bits: 24), sampleRate: 44_100)
        func conformed(_ block: Int) throws -> [Float] {
            let reader = try ConformedStemReader(url: url, sourceFrameCount: 20_000, sessionRate: 48_000, sessionFrameCount: 25_000)
            let (left, right) = AudioFixture.readConformed(reader, blockFrameCount: block)
            return left + right
        }
        #expect(try conformed(blockFrameCount) == conformed(1000))
    }

    @Test("at the session's rate a stem comes through sample for sample, whatever the block size", arguments: [1, 4095, 4097, 10_000])
    func sameRateIsExact(blockFrameCount: Int) throws {
        let folder = try TemporaryDirectory()
        let left = SignalGenerator.noise(frameCount: 20_000, amplitude: 0.5, seed: 11)
        let right = SignalGenerator.noise(frameCount: 20_000, amplitude: 0.5, seed: 12)
        let stereoURL = folder.file("Beat.wav"), monoURL = folder.file("Lead.wav")
        try AudioFixture.write([left, right], to: stereoURL, type: .wavFloat(bits: 32), sampleRate: 48_000)
        try AudioFixture.write([right], to: monoURL, type: .wavFloat(bits: 32), sampleRate: 48_000)
        let stereo = AudioFixture.readConformed(
            try ConformedStemReader(url: stereoURL, sourceFrameCount: 20_000, sessionRate: 48_000, sessionFrameCount: 21_000),
            blockFrameCount: blockFrameCount)
        #expect(Array(stereo.left[..<20_000]) == left && Array(stereo.right[..<20_000]) == right)
        #expect(stereo.left.count == 21_000 && stereo.left[20_000...].allSatisfy { $0 == 0 })
        let mono = AudioFixture.readConformed(
            try ConformedStemReader(url: monoURL, sourceFrameCount: 20_000, sessionRate: 48_000, sessionFrameCount: 20_000),
            blockFrameCount: blockFrameCount)
        #expect(mono.left == right && mono.right == right)
    }

    @Test("session rate: the rate most stems share, ties to the higher, override wins, 48 kHz by default")
    func sessionRate() {
        #expect(SessionRate.choose(stemRates: [44_100, 44_100, 48_000]) == 44_100)
        #expect(SessionRate.choose(stemRates: [44_100, 48_000]) == 48_000)
        #expect(SessionRate.choose(stemRates: [96_000, 44_100, 44_100, 96_000, 48_000]) == 96_000)
        #expect(SessionRate.choose(stemRates: [44_100], overrideHz: 96_000) == 96_000)
        #expect(SessionRate.choose(stemRates: []) == 48_000)
    }
}
