import Foundation
import MixAnalysis
@testable import MixEngine
import MixTesting
import Testing

@Suite("the output check: meters on the written samples, held against a decode of the file")
struct OutputVerifierTests {
    /// 5 s of a loud, limited-looking stereo signal on the `bitDepth` grid.
    static func signal(bitDepth: Int) -> (left: [Float], right: [Float]) {
        let rate = 48_000.0
        let noise = SignalGenerator.noise(frameCount: 240_000, amplitude: 0.5, seed: 3)
        let tone = SignalGenerator.sine(frequencyHz: 11_000, sampleRate: rate, frameCount: 240_000, amplitude: 0.35)
        let scale = Float(1 << (bitDepth - 1))
        func grid(_ x: Float) -> Float { (max(-1, min(1 - 1 / scale, x)) * scale).rounded() / scale }
        return (zip(noise, tone).map { grid($0 * 0.8 + $1) }, zip(noise, tone).map { grid($0 * 0.6 - $1) })
    }

    /// Writes `signal` as `format` through the writing pass's path, block by block, and returns
    /// the verifier fed on the way and the closed file.
    static func write(
        _ signal: (left: [Float], right: [Float]), format: OutputFormat, blockFrameCount: Int, in folder: TemporaryDirectory
    ) throws -> (OutputVerifier, AudioFileWriter) {
        let writer = try AudioFileWriter(
            url: folder.file("mix.\(format.fileExtension)"), type: format.fileType, sampleRate: 48_000, channelCount: 2)
        let verifier = try OutputVerifier(sampleRate: 48_000)
        let codes = PCMCodes(bitDepth: format.bitDepth)
        var encoded = [Int32](repeating: 0, count: 2 * blockFrameCount)
        var decoded = [Float](repeating: 0, count: 2 * blockFrameCount)
        var start = 0
        while start < signal.left.count {
            let n = min(blockFrameCount, signal.left.count - start)
            try encoded.withUnsafeMutableBufferPointer { encoded in
                try decoded.withUnsafeMutableBufferPointer { decoded in
                    signal.left.withUnsafeBufferPointer { left in
                        signal.right.withUnsafeBufferPointer { right in
                            codes.encode(
                                left: left.baseAddress! + start, right: right.baseAddress! + start, frameCount: n,
                                codes: encoded.baseAddress!, decoded: decoded.baseAddress!)
                        }
                    }
                    try writer.write(interleavedCodes: encoded.baseAddress!, frameCount: n)
                    verifier.add(codes: encoded.baseAddress!, decoded: decoded.baseAddress!, frameCount: n)
                }
            }
            start += n
        }
        try writer.close()
        return (verifier, writer)
    }

    @Test("the reading is what meters on a decode of the file read, to the bit", arguments: [
        (OutputFormat.wav24, 1600), (.wav16, 1601), (.flac24, 40_000), (.flac16, 512),
    ])
    func matchesDecodedFile(format: OutputFormat, blockFrameCount: Int) throws {
        let folder = try TemporaryDirectory()
        let signal = Self.signal(bitDepth: format.bitDepth)
        let (verifier, writer) = try Self.write(signal, format: format, blockFrameCount: blockFrameCount, in: folder)
        let reading = try verifier.finish(readingBack: writer.pendingURL)

        // Independently: decode the file as floats and meter it in one go.
        let file = try AudioFixture.read(writer.pendingURL)
        #expect(file.channels[0] == signal.left && file.channels[1] == signal.right, "the file holds the samples on the grid")
        let interleaved = SignalGenerator.interleave(file.channels)
        let meter = try #require(LoudnessMeter(channelCount: 2, sampleRate: 48_000, measures: [.integrated, .loudnessRange]))
        interleaved.withUnsafeBufferPointer { meter.add(interleaved: $0.baseAddress!, frameCount: file.channels[0].count) }
        #expect(reading.frameCount == 240_000)
        #expect(reading.integratedLUFS == meter.integratedLUFS)
        #expect(reading.loudnessRangeLU == meter.loudnessRangeLU)
        // The 8× scan in chunks of interleaved frames reads what one pass over each channel reads
        // (the scanner itself is held against an ideal interpolation in its own tests).
        let scanned = file.channels.map { channel in
            let scanner = OversampledPeakScanner(maxFrameCount: channel.count)
            channel.withUnsafeBufferPointer { scanner.add($0.baseAddress!, count: channel.count) }
            scanner.finish()
            return scanner.peakDBTP!
        }.max()
        #expect(reading.truePeakDBTP == scanned)
    }

    @Test("a file that does not decode to the measured samples is refused", arguments: ["one sample changed", "cut short"])
    func tamperedFile(damage: String) throws {
        let folder = try TemporaryDirectory()
        let (verifier, writer) = try Self.write(Self.signal(bitDepth: 24), format: .wav24, blockFrameCount: 4096, in: folder)
        let url = writer.pendingURL
        var bytes = try Data(contentsOf: url)
        if damage == "one sample changed" {
            bytes[bytes.count / 2] ^= 0x01  // the lowest bit of one 24-bit sample (or a middle byte of it)
        } else {
            bytes.removeLast(6 * 100)
        }
        try bytes.write(to: url)
        do {
            _ = try verifier.finish(readingBack: url)
            Issue.record("a \(damage) file passed the check")
        } catch let error as MixError {
            #expect("\(error)".contains("does not decode to the samples that were measured"), "\(error)")
        }
    }
}
