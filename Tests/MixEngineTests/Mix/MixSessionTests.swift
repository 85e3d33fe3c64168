import Foundation
import MixAnalysis
@testable import MixEngine
import MixTesting
import Testing

@Suite("the mix: sessions with problems, options, cancellation, live frames")
struct MixSessionTests {
    /// A 3 s session: a voice-like lead, a beat-like bed, and (optionally) a truncated double.
    static func smallSession(withBadFile: Bool) throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory()
        let rate = 48_000
        let frames = 3 * rate
        let lead = (0..<frames).map { i -> Float in
            let t = Double(i) / Double(rate)
            let envelope = 0.5 + 0.5 * sin(2 * Double.pi * 1.5 * t)
            return Float(envelope * (0.3 * sin(2 * Double.pi * 220 * t) + 0.1 * sin(2 * Double.pi * 660 * t)))
        }
        let noise = SignalGenerator.noise(frameCount: frames, amplitude: 0.2, seed: 7)
        let kick = (0..<frames).map { i -> Float in
            let t = Double(i % (rate / 2)) / Double(rate)
            return Float(0.8 * exp(-t * 30) * sin(2 * Double.pi * 55 * t))
        }
        let beat = zip(noise, kick).map { $0 * 0.3 + $1 }
        try AudioFixture.write([lead], to: folder.file("Lead Vox.wav"), type: .wav(bits: 24), sampleRate: rate)
        try AudioFixture.write([beat, beat], to: folder.file("Beat.wav"), type: .wav(bits: 16), sampleRate: rate)
        if withBadFile {
            try AudioFixture.write([lead, lead], to: folder.file("Dbl L.wav"), type: .wav(bits: 16), sampleRate: rate)
            let url = folder.file("Dbl L.wav")
            let data = try Data(contentsOf: url)
            try data.prefix(44 + (data.count - 44) / 3).write(to: url)
        }
        return folder
    }

    @Test("a rejected stem stops the mix before anything is written, naming the file and the reason")
    func rejected() async throws {
        let session = try Self.smallSession(withBadFile: true)
        let output = try TemporaryDirectory()
        let inspection = try await MixFixtures.inspect(session.url)
        let renderer = MixRenderer(options: try MixOptions.standard())
        #expect {
            try renderer.render(inspection, to: .init(mixURL: output.file("mix.wav")))
        } throws: { error in
            guard case .rejectedStems(let reasons) = error as? MixError else { return false }
            return reasons.count == 1 && reasons[0].hasPrefix("Dbl L.wav: truncated")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.url.path).isEmpty)
    }

    @Test("skip-invalid mixes the rest and lists what it skipped; a muted stem is left out")
    func skipAndMute() async throws {
        let session = try Self.smallSession(withBadFile: true)
        let mix = try await MixFixtures.render(session.url, configure: { $0.mutedStems = ["Beat.wav"] }, skipInvalid: true)
        #expect(mix.summary.tracks.map(\.file) == ["Lead Vox.wav"])
        #expect(mix.summary.muted == ["Beat.wav"])
        #expect(mix.summary.rejected.map(\.file) == ["Dbl L.wav"])
        #expect(mix.summary.rejected[0].reason.hasPrefix("truncated"))
        let reading = try MixFixtures.measure(mix.destination.mixURL)
        #expect(abs(reading.integratedLUFS - -14) <= 0.2 && reading.truePeakDBTP <= -1)
        // No temporary files are left beside the mix.
        let names = try FileManager.default.contentsOfDirectory(atPath: mix.output.url.path).sorted()
        #expect(names == ["mix.frames", "mix.summary.json", "mix.wav"])
    }

    @Test("a user's gain on a stem moves it in the mix by that much")
    func userGain() async throws {
        let session = try Self.smallSession(withBadFile: false)
        let plain = try await MixFixtures.render(session.url)
        let louder = try await MixFixtures.render(session.url, configure: { $0.stemGainsDB = ["Beat.wav": 4] })
        let before = plain.summary.tracks.first { $0.file == "Beat.wav" }!.loudnessInMixLUFS!
        let after = louder.summary.tracks.first { $0.file == "Beat.wav" }!.loudnessInMixLUFS!
        // The beat's compressor takes a little of it back (ratio 1.5 over its threshold).
        #expect(after - before > 3 && after - before <= 4.05, "moved by \(after - before) LU")
    }

    @Test("a cancelled render throws and leaves nothing behind", arguments: [MixStage.processingTracks, .exporting])
    func cancelled(during stage: MixStage) async throws {
        let output = try TemporaryDirectory()
        let inspection = try await MixFixtures.inspect(MixFixtures.demoStems)
        // Cancelled once the render reports the stage: in the first pass, or in the writing
        // pass with the output's meters at work.
        let reached = Counter()
        #expect(throws: MixError.cancelled) {
            try MixRenderer(options: try MixOptions.standard()).render(
                inspection, to: .init(mixURL: output.file("mix.wav")),
                progress: { if $0.stage == stage { _ = reached.increment() } },
                isCancelled: { reached.value > 1 })
        }
        #expect(reached.value > 1, "the render reached \(stage)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.url.path).isEmpty)
    }

    @Test("frames come out of the render as they are made: each partial in the first pass, then each complete")
    func liveFrames() async throws {
        let output = try TemporaryDirectory()
        let inspection = try await MixFixtures.inspect(MixFixtures.demoStems)
        let stream = MeterFrameStream(keepingNewest: 100_000)
        let summary = try MixRenderer(options: try MixOptions.standard()).render(
            inspection, to: .init(mixURL: output.file("mix.wav")), frames: stream)
        var partial: [Int] = [], complete: [Int] = []
        for await frame in stream.frames {
            if frame.isComplete { complete.append(frame.index) } else { partial.append(frame.index) }
            if !frame.isComplete { #expect(frame.master.rmsDB == nil && frame.master.momentaryLUFS == nil) }
        }
        let count = Int((summary.durationSeconds * 30).rounded(.up))
        #expect(partial == Array(0..<count))
        // Every writing pass sends its frames (one pass when the first lands on target).
        #expect(complete.count % count == 0 && complete.suffix(count) == ArraySlice(0..<count))
    }

    @Test("a display stream keeps only the newest frame: a reader that falls behind never queues")
    func newestWins() async throws {
        let output = try TemporaryDirectory()
        let inspection = try await MixFixtures.inspect(MixFixtures.demoStems)
        let stream = MeterFrameStream()
        let summary = try MixRenderer(options: try MixOptions.standard()).render(
            inspection, to: .init(mixURL: output.file("mix.wav")), frames: stream)
        var received: [MeterFrame] = []
        for await frame in stream.frames { received.append(frame) }
        #expect(received.count == 1)
        #expect(received.first?.index == Int((summary.durationSeconds * 30).rounded(.up)) - 1)
        #expect(received.first?.isComplete == true)
    }
}

/// Counts calls from any thread.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        return count
    }

    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}

@Suite("the mix: an unreachable target")
struct UnreachableTargetTests {
    @Test("a target the ceiling cannot allow: the ceiling holds, the summary says the target was not reached and why")
    func unreachable() async throws {
        let session = try MixSessionTests.smallSession(withBadFile: false)
        let mix = try await MixFixtures.render(session.url, configure: {
            $0.recipe.targetLUFS = -4
            $0.recipe.ceilingDBTP = -12
        })
        let reading = try MixFixtures.measure(mix.destination.mixURL)
        #expect(reading.truePeakDBTP <= -12)
        #expect(mix.summary.ceilingHeld && !mix.summary.targetReached)
        #expect(reading.integratedLUFS < -4.5)
        let note = try #require(mix.summary.targetNote)
        #expect(note.contains("-12.0 dBTP ceiling holds the mix at"), "\(note)")
        #expect(mix.summary.master.passes <= 1 + MasterGainSearch.maxWritingPasses)
    }
}

@Suite("the mix: odd rates and frame rates")
struct MixClockTests {
    @Test("a low session rate with a high frame rate: short meter frames, a scope still 512 points")
    func lowRateHighFPS() async throws {
        let session = try MixSessionTests.smallSession(withBadFile: false)
        let mix = try await MixFixtures.render(session.url, rate: 11_025, configure: { $0.framesPerSecond = 60 })
        #expect(mix.summary.sampleRate == 11_025)
        let reader = try FrameFileReader(url: mix.destination.framesURL)
        #expect(reader.frameCount == 180)
        #expect(try reader.frame(at: 179).finalScope.waveform.count == 512)
        let reading = try MixFixtures.measure(mix.destination.mixURL)
        #expect(abs(reading.integratedLUFS - -14) <= 0.2 && reading.truePeakDBTP <= -1)
    }

    @Test("meter frames tile the song: none empty, none missing, the last ends with the song")
    func frameTiling() {
        for rate in [8_000, 11_025, 44_100, 48_000, 96_000] {
            for fps in [10, 24, 30, 40, 60] {
                for length in [Int64(1), 1103, 4410, 44_101, 123_457] {
                    let clock = MeterClock(sampleRate: rate, framesPerSecond: fps, totalFrameCount: length)
                    let count = clock.frameCount
                    var end: Int64 = 0
                    for frame in 0..<count {
                        #expect(clock.start(of: frame) == end)
                        end = clock.end(of: frame)
                        #expect(end > clock.start(of: frame), "empty frame \(frame) at \(rate) Hz, \(fps) fps, \(length)")
                    }
                    #expect(end == length, "\(rate) Hz, \(fps) fps, \(length) frames: ends at \(end)")
                }
            }
        }
    }
}
