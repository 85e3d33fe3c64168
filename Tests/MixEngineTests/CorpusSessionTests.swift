import Foundation
import MixEngine
import MixTesting
import Testing

/// `inspect` over the generated corpus sessions, against their manifests.
@Suite("Corpus sessions", .enabled(if: Corpus.sessionsDirectory != nil, Comment(rawValue: Corpus.sessionsAbsentMessage)))
struct CorpusSessionTests {
    static let sessions = ["01_trap_daw_export", "02_rnb_mixed_formats", "04_ambiguous_names", "06_edge_levels_lengths", "07_long_4min"]

    /// The manifest's format and subtype in the product's words.
    static func expectedFormat(_ file: SessionManifest.File) -> String {
        let extensible = file.waveFormatTag == "WAVE_FORMAT_EXTENSIBLE" ? " (extensible)" : ""
        switch (file.format == "WAVEX" ? "WAV" : file.format, file.subtype) {
        case ("WAV", "PCM_16"): return "WAV\(extensible) 16-bit PCM"
        case ("WAV", "PCM_24"): return "WAV\(extensible) 24-bit PCM"
        case ("WAV", "FLOAT"): return "WAV\(extensible) 32-bit float"
        case ("MP3", _): return "MP3"
        case ("FLAC", "PCM_16"): return "FLAC 16-bit"
        case ("FLAC", "PCM_24"): return "FLAC 24-bit"
        default: return "\(file.format) \(file.subtype)"
        }
    }

    @Test("formats, rates, channels, durations, levels and roles match the manifest", arguments: sessions)
    func inspect(session: String) async throws {
        let manifest = try Corpus.sessionManifest(session)
        let folder = Corpus.sessionsDirectory!.appendingPathComponent(session)
        let inspection = try await SessionInspector().inspect(folder: folder)
        #expect(inspection.rejectedStems.isEmpty)
        #expect(inspection.sessionRate == manifest.majoritySampleRate)
        #expect(inspection.stems.count == manifest.files.count)
        for file in manifest.files {
            guard let stem = inspection.stems.first(where: { $0.fileName == file.file }) else {
                Issue.record("\(file.file) missing from the inspection")
                continue
            }
            let lossy = file.format == "MP3"
            #expect(stem.format?.description == Self.expectedFormat(file), "\(file.file)")
            #expect(stem.sampleRate == file.sampleRate)
            #expect(stem.channelCount == file.channels)
            // MP3 carries encoder delay and padding; lossless lengths are exact.
            #expect(abs(stem.durationSeconds! - file.durationS) <= (lossy ? 0.06 : 0.0005), "\(file.file)")
            #expect(abs(stem.peakDBFS! - file.peakDbfs) <= (lossy ? 0.5 : 0.05), "\(file.file)")
            if let lufs = file.integratedLufs, let measured = stem.loudnessLUFS {
                #expect(abs(measured - lufs) <= 0.2, "\(file.file): \(measured) vs \(lufs) LUFS")
            }
            if file.role != "unknown" {
                #expect(stem.role.role.rawValue == file.role, "\(file.file)")
                #expect(!stem.role.isGuessed)
            } else {
                #expect(stem.role.isGuessed, "\(file.file): a role from the content is a guess")
            }
        }
    }

    @Test("session 04: the beat and the lead are found from the content alone")
    func ambiguousNames() async throws {
        let manifest = try Corpus.sessionManifest("04_ambiguous_names")
        let folder = Corpus.sessionsDirectory!.appendingPathComponent("04_ambiguous_names")
        let inspection = try await SessionInspector().inspect(folder: folder)
        var correct = 0
        for file in manifest.files {
            let stem = inspection.stems.first { $0.fileName == file.file }!
            if file.contentRole == "beat" || file.contentRole == "lead" {
                #expect(stem.role.role.rawValue == file.contentRole, "\(file.file)")
            }
            if stem.role.role.rawValue == file.contentRole { correct += 1 }
        }
        // Reported, not required: how many of the five the guesser gets.
        print("session 04: \(correct) of \(manifest.files.count) roles guessed right from the content")
        #expect(correct >= 2)
    }
}
