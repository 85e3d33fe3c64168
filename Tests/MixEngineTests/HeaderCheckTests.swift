import Foundation
import MixEngine
import MixTesting
import Testing

/// Header checks the bad-input corpus (all WAV) does not reach: AIFF and FLAC cut short,
/// content that disagrees with its extension.
@Suite("Header checks beyond WAV")
struct HeaderCheckTests {
    /// Kept for the whole test: the folder is deleted when it goes.
    private let folder: TemporaryDirectory

    init() throws {
        folder = try TemporaryDirectory()
    }

    private func writeAndCut(_ type: AudioFileWriter.FileType, name: String, keeping fraction: Double) throws -> URL {
        let url = folder.file(name)
        let tone = SignalGenerator.sine(frequencyHz: 440, sampleRate: 48_000, frameCount: 96_000, amplitude: 0.4)
        try AudioFixture.write([tone, tone], to: url, type: type, sampleRate: 48_000)
        let data = try Data(contentsOf: url)
        try data.prefix(Int(Double(data.count) * fraction)).write(to: url)
        return url
    }

    @Test("an AIFF cut short is rejected as truncated, with the lengths")
    func aiffTruncated() throws {
        let url = try writeAndCut(.aiff(bits: 24), name: "Harm 1.aiff", keeping: 0.5)
        let report = StemScanner.scan(url: url, displayName: "Harm 1.aiff")
        #expect(report.rejectionMessage?.hasPrefix("Harm 1.aiff: truncated: its header declares 2.0 s") == true, "\(report.problems)")
    }

    @Test("a FLAC cut short is rejected as truncated, not as corrupt")
    func flacTruncated() throws {
        let url = try writeAndCut(.flac(bits: 16), name: "Beat.flac", keeping: 0.6)
        let report = StemScanner.scan(url: url, displayName: "Beat.flac")
        #expect(report.rejection?.reason.hasPrefix("truncated: its header declares 2.0 s") == true, "\(report.problems)")
    }

    @Test("an intact AIFF and FLAC pass with no notes")
    func intact() throws {
        for (type, name) in [(AudioFileWriter.FileType.aiff(bits: 16), "a.aiff"), (.flac(bits: 24), "a.flac")] {
            let url = try writeAndCut(type, name: name, keeping: 1)
            let report = StemScanner.scan(url: url, displayName: name)
            #expect(report.isUsable && report.notes.isEmpty, "\(name): \(report.problems)")
            #expect(report.frameCount == 96_000)
        }
    }

    @Test("content decides the format; a misleading extension earns a note", arguments: [
        (AudioFileWriter.FileType.mp3, "Beat.wav", "MP3"), (.flac(bits: 16), "Beat.mp3", "FLAC"), (.oggVorbis, "Beat.flac", "Ogg"),
    ])
    func extensionMismatch(type: AudioFileWriter.FileType, name: String, container: String) throws {
        let url = try writeAndCut(type, name: name, keeping: 1)
        let report = StemScanner.scan(url: url, displayName: name)
        #expect(report.isUsable, "\(report.problems)")
        #expect(report.format?.container.rawValue == container)
        #expect(report.notes.contains { $0.contains("content is \(container)") }, "\(report.notes)")
    }
}
