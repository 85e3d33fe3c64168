import Foundation
import MixEngine
import MixTesting
import Testing

@Suite("Resampling (soxr, very high quality, streaming)")
struct ResamplerTests {
    @Test("a 1 kHz sine from 44.1 to 48 kHz keeps its frequency, THD+N below −100 dB, length exact")
    func sineThroughResampler() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("sine.wav")
        let sine = SignalGenerator.sine(frequencyHz: 1000, sampleRate: 44_100, frameCount: 44_100 * 2, amplitude: 0.5)
        try AudioFixture.write([sine], to: url, type: .wavFloat(bits: 32), sampleRate: 44_100)
        let reader = try ConformedStemReader(
            url: url, sourceFrameCount: Int64(sine.count), sessionRate: 48_000, sessionFrameCount: 96_000)
        #expect(reader.stemFrameCount == 96_000)
        let (left, right) = AudioFixture.readConformed(reader, blockFrameCount: 777)
        #expect(left.count == 96_000)
        // Away from the edges, where the filter sees signal on both sides.
        let middle = left[4800..<91_200]
        let fit = SineFit(middle, frequencyHz: 1000, sampleRate: 48_000)
        #expect(abs(fit.amplitude - 0.5) < 0.5 * 0.001)
        #expect(fit.thdPlusNoiseDB < -100, "THD+N \(fit.thdPlusNoiseDB) dB")
        print(String(format: "resampler 44.1 → 48 kHz, 1 kHz sine: THD+N %.1f dB", fit.thdPlusNoiseDB))
        // A frequency error of even 0.01 % would leave a residual far above −100 dB over 1.8 s.
        let detuned = SineFit(middle, frequencyHz: 1000.1, sampleRate: 48_000)
        #expect(detuned.thdPlusNoiseDB > -60)
        #expect(left == right)
    }

    @Test("a stereo stem's channels stay apart through the resampler")
    func stereoChannelsStayApart() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("Beat.wav")
        let left = SignalGenerator.sine(frequencyHz: 1000, sampleRate: 44_100, frameCount: 44_100, amplitude: 0.5)
        let right = SignalGenerator.sine(frequencyHz: 3000, sampleRate: 44_100, frameCount: 44_100, amplitude: 0.25)
        try AudioFixture.write([left, right], to: url, type: .wavFloat(bits: 32), sampleRate: 44_100)
        let reader = try ConformedStemReader(url: url, sourceFrameCount: 44_100, sessionRate: 48_000, sessionFrameCount: 48_000)
        let conformed = AudioFixture.readConformed(reader, blockFrameCount: 5000)
        let leftFit = SineFit(conformed.left[4800..<43_200], frequencyHz: 1000, sampleRate: 48_000)
        let rightFit = SineFit(conformed.right[4800..<43_200], frequencyHz: 3000, sampleRate: 48_000)
        #expect(abs(leftFit.amplitude - 0.5) < 0.0005 && leftFit.thdPlusNoiseDB < -100, "left: \(leftFit.thdPlusNoiseDB) dB")
        #expect(abs(rightFit.amplitude - 0.25) < 0.00025 && rightFit.thdPlusNoiseDB < -100, "right: \(rightFit.thdPlusNoiseDB) dB")
    }

    @Test("output length is the input's duration at the new rate, rounded", arguments: [
        (44_100, 48_000, Int64(44_100), Int64(48_000)), (44_100, 48_000, 44_101, 48_001), (48_000, 44_100, 48_000, 44_100),
        (96_000, 48_000, 1, 1), (22_050, 48_000, 12_345, 26_873), (48_000, 48_000, 777, 777),
    ])
    func lengths(input: Int, output: Int, inputFrames: Int64, expectedFrames: Int64) {
        #expect(StreamingResampler.outputFrameCount(forInputFrameCount: inputFrames, inputRate: input, outputRate: output) == expectedFrames)
    }

    @Test("streamed output has exactly the promised length for odd lengths and rates", arguments: [(44_100, 12_345), (22_050, 1_001), (96_000, 50_001)])
    func streamedLength(inputRate: Int, frames: Int) throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("noise.wav")
        try AudioFixture.write([SignalGenerator.noise(frameCount: frames, amplitude: 0.3)], to: url, type: .wav(bits: 24), sampleRate: inputRate)
        let expected = StreamingResampler.outputFrameCount(forInputFrameCount: Int64(frames), inputRate: inputRate, outputRate: 48_000)
        let reader = try ConformedStemReader(url: url, sourceFrameCount: Int64(frames), sessionRate: 48_000, sessionFrameCount: expected)
        let (left, _) = AudioFixture.readConformed(reader, blockFrameCount: 4096)
        #expect(Int64(left.count) == expected)
    }
}
