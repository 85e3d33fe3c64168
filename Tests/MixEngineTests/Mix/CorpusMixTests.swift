import Foundation
import MixAnalysis
import MixEngine
import MixTesting
import Testing

/// Every corpus session mixed with the balanced recipe: on target, under the ceiling, measured
/// on the written file by libebur128 and an 8× FFT interpolation (neither shares code with the
/// limiter); session 06's extreme stems land near their role targets.
@Suite("Corpus sessions, mixed", .enabled(if: Corpus.sessionsDirectory != nil, Comment(rawValue: Corpus.sessionsAbsentMessage)))
struct CorpusMixTests {
    @Test("target ±0.2 LU and ceiling held", arguments: CorpusSessionTests.sessions)
    func session(name: String) async throws {
        let folder = Corpus.sessionsDirectory!.appendingPathComponent(name)
        let mix = try await MixFixtures.render(folder)
        let (channels, rate) = try AudioFixture.read(mix.destination.mixURL)
        let meter = LoudnessMeter(channelCount: 2, sampleRate: rate, measures: [.integrated])!
        SignalGenerator.interleave(channels).withUnsafeBufferPointer {
            meter.add(interleaved: $0.baseAddress!, frameCount: channels[0].count)
        }
        let integrated = try #require(meter.integratedLUFS)
        let truePeak = channels.map { TruePeakScan.dBTPChunked($0) }.max()!
        #expect(abs(integrated - -14) <= 0.2, "\(name): \(integrated) LUFS")
        #expect(truePeak <= -1, "\(name): \(truePeak) dBTP")
        #expect(mix.summary.targetReached && mix.summary.ceilingHeld)
        #expect(mix.summary.master.correlation > 0)
        #expect(abs(Double(channels[0].count) / Double(rate) - mix.summary.durationSeconds) < 0.001)
        if name.hasPrefix("07") {
            // Compact frames: under a quarter of the 24-bit mix at 30 fps.
            let mixBytes = try FileManager.default.attributesOfItem(atPath: mix.destination.mixURL.path)[.size] as! Int
            let frameBytes = try FileManager.default.attributesOfItem(atPath: mix.destination.framesURL.path)[.size] as! Int
            #expect(frameBytes * 4 < mixBytes, "frames \(frameBytes) bytes against a \(mixBytes)-byte mix")
        }
        if name.hasPrefix("06") {
            // The clipped, 12 dB-hot lead and the −40 dBFS harmony, after the loudness match
            // and before their group's gain.
            let presets = try PresetLibrary.load().rolePresets
            for role in [Role.lead, .harmony] {
                let track = try #require(mix.summary.tracks.first { $0.role == role })
                let level = try #require(track.loudnessInMixLUFS) - track.groupGainDB
                #expect(abs(level - presets[role]!.mixLevelLUFS) <= 2, "\(track.file): \(level) LUFS before its group's gain")
            }
        }
    }
}
