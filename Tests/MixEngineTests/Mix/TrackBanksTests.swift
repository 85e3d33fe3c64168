import Foundation
@testable import MixEngine
import MixDSP
import MixTesting
import Testing

@Suite("track chains in banks of lanes")
struct TrackBanksTests {
    /// Five stereo stems and a mono one: eleven lanes, so two banks.
    static func session(in folder: TemporaryDirectory) throws -> URL {
        let stems = folder.url.appendingPathComponent("stems")
        try FileManager.default.createDirectory(at: stems, withIntermediateDirectories: true)
        let names = ["Lead Vox", "Dbl L", "Harm 1", "Adlibs", "Beat", "Other Take"]
        for (index, name) in names.enumerated() {
            let noise = SignalGenerator.noise(frameCount: 48_000, amplitude: 0.3, seed: UInt64(index + 1))
            let tone = SignalGenerator.sine(frequencyHz: 150 * Double(index + 1), sampleRate: 48_000, frameCount: 48_000, amplitude: 0.4)
            let left = zip(noise, tone).map { $0 + $1 }
            let channels = name == "Lead Vox" ? [left] : [left, left.reversed().map { $0 * 0.7 }]
            try AudioFixture.write(channels, to: stems.appendingPathComponent("\(name).wav"), type: .wav(bits: 24), sampleRate: 48_000)
        }
        return stems
    }

    @Test("eleven lanes run in two banks, each track bit for bit its own chain, a mono stem's lane on both sides")
    func twoBanks() async throws {
        let folder = try TemporaryDirectory()
        let inspection = try await SessionInspector().inspect(folder: try Self.session(in: folder))
        let options = try MixOptions.standard(recipe: "balanced")
        let period = 1600
        let tracks = try inspection.usableStems.map { stem in
            try TrackRenderer(
                stem: stem, url: stem.url!, preset: options.presets[stem.role.role]!, userGainDB: 0, basic: false,
                sessionRate: 48_000, sessionFrameCount: 48_000, maxFrameCount: period)
        }
        #expect(tracks.count == 6)
        let banks = try TrackBanks(tracks: tracks, sampleRate: 48_000, maxFrameCount: period)
        #expect(banks.bankCount == 2)
        let references = try tracks.map { try ReferenceChain($0.chain.spec, sampleRate: 48_000, maxFrameCount: period) }
        var readouts = TrackPass.Readouts(repeating: (nil, nil), count: tracks.count)
        for _ in 0..<10 {
            for track in tracks { track.read(slot: 0, from: 0, frameCount: period) }
            // The reference runs on a copy of what was read.
            let inputs = tracks.map { track in
                (Array(UnsafeBufferPointer(start: track.input(0).left, count: period)),
                 Array(UnsafeBufferPointer(start: track.input(0).right, count: period)))
            }
            banks.process(tracks, slot: 0, from: 0, frameCount: period, readouts: &readouts)
            for (index, track) in tracks.enumerated() {
                var (left, right) = inputs[index]
                left.withUnsafeMutableBufferPointer { l in
                    right.withUnsafeMutableBufferPointer { r in
                        references[index].process(AudioBlock(left: l.baseAddress!, right: r.baseAddress!, frameCount: period))
                    }
                }
                let output = track.output(0)
                #expect(Array(UnsafeBufferPointer(start: output.left, count: period)) == left, "\(track.stem.fileName) left")
                #expect(Array(UnsafeBufferPointer(start: output.right, count: period)) == right, "\(track.stem.fileName) right")
                #expect(readouts[index].compressor == references[index].compressor?.lastGainReduction)
                #expect(readouts[index].deEsser == references[index].deEsser?.lastGainReduction)
            }
        }
        let mono = try #require(tracks.first { $0.stem.channelCount == 1 })
        #expect(Array(UnsafeBufferPointer(start: mono.output(0).left, count: period))
            == Array(UnsafeBufferPointer(start: mono.output(0).right, count: period)))
    }
}
