import Foundation
import MixEngine
import MixTesting
import Testing

/// Every format and bit depth the product reads, written here with libsndfile, then scanned
/// and decoded back.
@Suite("Decoding round trips")
struct DecodeRoundTripTests {
    struct Case: CustomStringConvertible, Sendable {
        let type: AudioFileWriter.FileType
        let fileName: String
        let description: String
        /// Largest sample error allowed for lossless formats; nil for lossy codecs.
        let tolerance: Float?
    }

    static let cases: [Case] = [
        Case(type: .wav(bits: 8), fileName: "a.wav", description: "WAV 8-bit PCM", tolerance: 1.0 / 128),
        Case(type: .wav(bits: 16), fileName: "a.wav", description: "WAV 16-bit PCM", tolerance: 1.01 / 32768),
        Case(type: .wav(bits: 24), fileName: "a.wav", description: "WAV 24-bit PCM", tolerance: 1.01 / 8_388_608),
        Case(type: .wav(bits: 32), fileName: "a.wav", description: "WAV 32-bit PCM", tolerance: 1e-7),
        Case(type: .wavFloat(bits: 32), fileName: "a.wav", description: "WAV 32-bit float", tolerance: 0),
        Case(type: .wavFloat(bits: 64), fileName: "a.wav", description: "WAV 64-bit float", tolerance: 0),
        Case(type: .wavExtensible(bits: 24), fileName: "a.wav", description: "WAV (extensible) 24-bit PCM", tolerance: 1.01 / 8_388_608),
        Case(type: .rf64(bits: 24), fileName: "a.wav", description: "RF64 (extensible) 24-bit PCM", tolerance: 1.01 / 8_388_608),
        Case(type: .aiff(bits: 16), fileName: "a.aiff", description: "AIFF 16-bit PCM", tolerance: 1.01 / 32768),
        Case(type: .aiff(bits: 24), fileName: "a.aif", description: "AIFF 24-bit PCM", tolerance: 1.01 / 8_388_608),
        Case(type: .flac(bits: 16), fileName: "a.flac", description: "FLAC 16-bit", tolerance: 1.01 / 32768),
        Case(type: .flac(bits: 24), fileName: "a.flac", description: "FLAC 24-bit", tolerance: 1.01 / 8_388_608),
        Case(type: .mp3, fileName: "a.mp3", description: "MP3", tolerance: nil),
        Case(type: .oggVorbis, fileName: "a.ogg", description: "Ogg Vorbis", tolerance: nil),
        Case(type: .oggOpus, fileName: "a.opus", description: "Ogg Opus", tolerance: nil),
    ]

    static let rate = 48_000
    static let frameCount = 48_000

    /// A 441 Hz tone at −6 dBFS with a quieter 3 kHz partial; the right channel is inverted so a
    /// swapped or summed channel would show.
    static func signal(channelCount: Int) -> [[Float]] {
        let low = SignalGenerator.sine(frequencyHz: 441, sampleRate: Double(rate), frameCount: frameCount, amplitude: 0.5)
        let high = SignalGenerator.sine(frequencyHz: 3000, sampleRate: Double(rate), frameCount: frameCount, amplitude: 0.1)
        let left = zip(low, high).map { $0 + $1 }
        return channelCount == 1 ? [left] : [left, left.map { -$0 * 0.5 }]
    }

    @Test("written, scanned and decoded back", arguments: cases, [1, 2])
    func roundTrip(_ format: Case, channelCount: Int) throws {
        let folder = try TemporaryDirectory()
        let url = folder.file(format.fileName)
        let original = Self.signal(channelCount: channelCount)
        try AudioFixture.write(original, to: url, type: format.type, sampleRate: Self.rate)

        let report = StemScanner.scan(url: url, displayName: format.fileName)
        #expect(report.rejection == nil, "\(report.problems)")
        #expect(report.format?.description == format.description)
        #expect(report.channelCount == channelCount)
        #expect(report.sampleRate == Self.rate)
        #expect(abs(report.peakDBFS! - 20 * log10(0.6)) < 0.5)

        let decoded = try AudioFixture.read(url).channels
        #expect(decoded.count == channelCount)
        if let tolerance = format.tolerance {
            #expect(report.frameCount == Int64(Self.frameCount))
            for channel in 0..<channelCount {
                let error = zip(decoded[channel], original[channel]).map { abs($0 - $1) }.max()!
                #expect(error <= tolerance, "channel \(channel): max error \(error)")
            }
        } else {
            // Lossy codecs add encoder delay and padding; level and pitch must survive.
            #expect(abs(Int(report.frameCount!) - Self.frameCount) < 4096)
            for channel in 0..<channelCount {
                let middle = decoded[channel][8000..<40000]
                let fit = SineFit(middle, frequencyHz: 441, sampleRate: Double(Self.rate))
                let expected = channel == 0 ? 0.5 : 0.25
                #expect(abs(20 * log10(fit.amplitude / expected)) < 0.5, "channel \(channel): amplitude \(fit.amplitude)")
            }
        }
    }

    @Test("a 5.1 WAV is folded to stereo with a note naming BS.775")
    func surroundFold() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("Beat 5.1.wav")
        let one = [Float](repeating: 0.25, count: 4800)
        let zero = [Float](repeating: 0, count: 4800)
        // Only the centre (channel 2) and the LFE (channel 3) carry signal.
        try AudioFixture.write([zero, zero, one, one, zero, zero], to: url, type: .wav(bits: 24), sampleRate: 48_000)
        let report = StemScanner.scan(url: url, displayName: "Beat 5.1.wav")
        #expect(report.isUsable)
        #expect(report.notes.contains { $0.contains("BS.775") && $0.contains("5.1") })
        let reader = try ConformedStemReader(url: url, sourceFrameCount: 4800, sessionRate: 48_000, sessionFrameCount: 4800)
        let (left, right) = AudioFixture.readConformed(reader)
        // Centre at −3 dB on each side; the LFE is left out.
        #expect(abs(left[100] - 0.25 * 0.70710678) < 1e-6)
        #expect(abs(right[100] - 0.25 * 0.70710678) < 1e-6)
    }
}
