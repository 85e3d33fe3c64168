import Foundation
import MixAnalysis
@testable import MixEngine
import MixTesting
import Testing

@Suite("the mix: render, master, verify")
struct MixRenderTests {
    @Test("balanced: −14 LUFS ±0.2 and under −1 dBTP, by meters independent of the limiter")
    func targetAndCeiling() async throws {
        let mix = try await MixFixtures.balanced()
        let reading = try MixFixtures.measure(mix.destination.mixURL)
        #expect(abs(reading.integratedLUFS - -14) <= 0.2, "integrated \(reading.integratedLUFS)")
        #expect(reading.truePeakDBTP <= -1.0, "true peak \(reading.truePeakDBTP) dBTP (8× FFT scan)")
        #expect(mix.summary.targetReached && mix.summary.ceilingHeld && mix.summary.targetNote == nil)
        #expect(abs(mix.summary.integratedLUFS! - reading.integratedLUFS) <= 0.01)
        // The two in-engine peak readings agree with the FFT scan.
        #expect(abs(mix.summary.truePeakScan8xDBTP! - reading.truePeakDBTP) <= 0.05)
        let longest = try FileManager.default.contentsOfDirectory(at: MixFixtures.demoStems, includingPropertiesForKeys: nil)
            .map { try AudioFixture.read($0).channels[0].count }.max()!
        #expect(reading.channels[0].count == longest, "the mix is exactly as long as the longest stem")
    }

    @Test("the lead sits where its preset puts it relative to the beat (±2 LU)")
    func leadOverBeat() async throws {
        let mix = try await MixFixtures.balanced()
        let presets = try PresetLibrary.load().rolePresets
        let lead = try #require(mix.summary.tracks.first { $0.role == .lead }?.loudnessInMixLUFS)
        let beat = try #require(mix.summary.tracks.first { $0.role == .beat }?.loudnessInMixLUFS)
        let intended = presets[.lead]!.mixLevelLUFS - presets[.beat]!.mixLevelLUFS
        #expect(abs((lead - beat) - intended) <= 2, "lead − beat = \(lead - beat) LU, intended \(intended)")
    }

    @Test("no stage clips, and the widened mix stays positively correlated")
    func headroomAndCorrelation() async throws {
        let mix = try await MixFixtures.balanced()
        let reader = try FrameFileReader(url: mix.destination.framesURL)
        var trackPeak = -200.0, preMasterPeak: Float = 0
        for index in 0..<reader.frameCount {
            let frame = try reader.frame(at: index)
            for track in frame.tracks { trackPeak = max(trackPeak, track.peakDB ?? -200) }
            preMasterPeak = max(preMasterPeak, frame.preMasterScope.waveform.map { abs($0) }.max()!)
        }
        #expect(trackPeak < 0, "a track peaked at \(trackPeak) dBFS")
        #expect(preMasterPeak < 1, "the blend reached \(preMasterPeak) of full scale")
        #expect(mix.summary.tracks.contains { $0.width > 1 })
        let reading = try MixFixtures.measure(mix.destination.mixURL)
        #expect(reading.correlation > 0.3, "correlation \(reading.correlation)")
        #expect(abs(mix.summary.master.correlation - reading.correlation) < 0.01)
    }

    @Test("meter frames: 30 per second of audio, complete, agreeing with the summary")
    func frames() async throws {
        let mix = try await MixFixtures.balanced()
        let reader = try FrameFileReader(url: mix.destination.framesURL)
        #expect(reader.frameCount == Int((mix.summary.durationSeconds * 30).rounded(.up)))
        #expect(reader.header.tracks.map(\.name) == mix.summary.tracks.map(\.file))
        var limiterMax = 0.0, busMax = 0.0, compressorMax = [Double](repeating: 0, count: reader.header.tracks.count)
        var loudFrames = 0
        for index in 0..<reader.frameCount {
            let frame = try reader.frame(at: index)
            limiterMax = max(limiterMax, frame.master.limiterGainReductionDB)
            busMax = max(busMax, frame.master.busCompressorGainReductionDB)
            for (track, meters) in frame.tracks.enumerated() {
                compressorMax[track] = max(compressorMax[track], meters.compressorGainReductionDB)
            }
            if let shortTerm = frame.master.shortTermLUFS, index > 90, abs(shortTerm - -14) < 4 { loudFrames += 1 }
            #expect((frame.master.truePeakDB ?? -200) <= -1 + 0.05)
        }
        #expect(abs(limiterMax - mix.summary.master.limiterGRMaxDB) <= 0.01)
        #expect(abs(busMax - mix.summary.master.busCompressorGRMaxDB) <= 0.01)
        for (track, summary) in mix.summary.tracks.enumerated() {
            #expect(abs(compressorMax[track] - summary.compressorGRMaxDB) <= 0.01)
        }
        #expect(loudFrames > reader.frameCount / 2, "short-term loudness sits near the target most of the song")
    }

    @Test("the same stems and settings give the same bytes")
    func deterministic() async throws {
        let first = try await MixFixtures.balanced()
        let second = try await MixFixtures.render(MixFixtures.demoStems)
        #expect(try Data(contentsOf: first.destination.mixURL) == Data(contentsOf: second.destination.mixURL))
        #expect(try Data(contentsOf: first.destination.framesURL) == Data(contentsOf: second.destination.framesURL))
        var a = try JSONSerialization.jsonObject(with: Data(contentsOf: first.destination.summaryURL)) as! [String: Any]
        var b = try JSONSerialization.jsonObject(with: Data(contentsOf: second.destination.summaryURL)) as! [String: Any]
        for key in ["render_s", "realtime_factor", "output", "frames_file"] {
            a[key] = nil
            b[key] = nil
        }
        #expect(NSDictionary(dictionary: a) == NSDictionary(dictionary: b))
    }

    @Test("loud to 16-bit FLAC: −9 LUFS ±0.2, still under −1 dBTP")
    func loudFLAC() async throws {
        let mix = try await MixFixtures.render(MixFixtures.demoStems, recipe: "loud", format: .flac16)
        let reading = try MixFixtures.measure(mix.destination.mixURL)
        #expect(abs(reading.integratedLUFS - -9) <= 0.2, "integrated \(reading.integratedLUFS)")
        #expect(reading.truePeakDBTP <= -1.0, "true peak \(reading.truePeakDBTP)")
        #expect(mix.summary.master.limiterGRMaxDB > 1, "a −9 LUFS master makes the limiter work")
        let magic = try FileHandle(forReadingFrom: mix.destination.mixURL).read(upToCount: 4)
        #expect(magic == Data("fLaC".utf8))
        // 16-bit: every sample on the 16-bit grid (dithered, then stored exactly).
        let onGrid = reading.channels[0].prefix(100_000).allSatisfy { ($0 * 32768).rounded() == $0 * 32768 }
        #expect(onGrid)
    }

    @Test("basic: the plain sum with role gains, no processing, one gain under the ceiling")
    func basic() async throws {
        let mix = try await MixFixtures.render(MixFixtures.demoStems, basic: true)
        #expect(mix.summary.basic && mix.summary.targetLUFS == nil)
        #expect(mix.summary.master.limiterGRMaxDB == 0 && mix.summary.master.busCompressorGRMaxDB == 0)
        #expect(mix.summary.tracks.allSatisfy { $0.matchGainDB == 0 && $0.compressorGRMaxDB == 0 && $0.eq.isEmpty })
        let reading = try MixFixtures.measure(mix.destination.mixURL)
        #expect(reading.truePeakDBTP <= -1.0)
        // Linear: the mix is the stems' sum times one gain. Compare one stretch with the sum.
        let presets = try PresetLibrary.load().rolePresets
        var sum = [Float](repeating: 0, count: 48_000)
        for track in mix.summary.tracks {
            let (channels, _) = try AudioFixture.read(MixFixtures.demoStems.appendingPathComponent(track.file))
            let gain = Float(pow(10, presets[track.role]!.gainDB / 20))
            for i in 0..<48_000 { sum[i] += channels[0][240_000 + i] * gain }
        }
        let scale = Float(pow(10, (mix.summary.master.gainDB - mix.summary.master.blendHeadroomDB) / 20))
        var worst: Float = 0
        for i in 0..<48_000 { worst = max(worst, abs(reading.channels[0][240_000 + i] - sum[i] * scale)) }
        #expect(worst < 2e-5, "largest difference from the scaled sum: \(worst)")
    }
}
