import Foundation
import MixAnalysis
import MixDSP
@testable import MixEngine
import MixTesting
import Testing

@Suite("Reference matching: the master's tonal balance and loudness moved to a reference song's")
struct ReferenceMatchTests {
    static let points = ReferenceMatch.frequencies.indices.filter { ReferenceMatch.fitRangeHz.contains(ReferenceMatch.frequencies[$0]) }

    @Test("a smooth difference is fitted within a decibel; one past ±6 dB stops there; the level is not the EQ's business")
    func fit() throws {
        let octaves = ReferenceMatch.frequencies.map { log2($0 / 1000) }
        // A tilt of −1 dB an octave and a 3 dB bump at 3 kHz, the reference 7 dB louder overall.
        let mix = ReferenceMatch.frequencies.map { _ in Double?(-40) }
        let reference = zip(ReferenceMatch.frequencies, octaves).map { frequency, octave in
            Double?(-33 - octave + 3 * exp(-pow(log2(frequency / 3000), 2) / 0.5))
        }
        let match = try #require(ReferenceMatch(mix: mix, reference: reference, sampleRate: 48_000))
        #expect(match.residualMaxDB <= 1, "residual \(match.residualMaxDB) dB")
        #expect(match.bands.allSatisfy { abs($0.gainDB) <= ReferenceMatch.maxGainDB } && match.bands.count <= 12)
        // The level difference (7 dB) is taken out: the target averages to zero.
        let target = Self.points.compactMap { match.targetDB[$0] }
        #expect(abs(target.reduce(0, +) / Double(target.count)) < 1e-9)
        // A 20 dB step cannot be followed: every band stays within ±6 dB.
        let step = ReferenceMatch.frequencies.map { Double?($0 > 1000 ? -20 : -40) }
        let clamped = try #require(ReferenceMatch(mix: mix, reference: step, sampleRate: 48_000))
        #expect(clamped.bands.allSatisfy { abs($0.gainDB) <= ReferenceMatch.maxGainDB + 1e-9 })
        #expect(clamped.bands.contains { abs($0.gainDB) > 5.9 })
        // Nothing in common: no match.
        #expect(ReferenceMatch(mix: mix.map { _ in nil }, reference: reference, sampleRate: 48_000) == nil)
    }

    /// The reference: the demo's stems summed plainly, reshaped (less low end, more top and a
    /// presence bump), as loud as a modern master.
    static func reference(in folder: TemporaryDirectory) throws -> URL {
        var left: [Float] = [], right: [Float] = []
        for name in ["Lead Vox", "Lead Vox Dbl", "Harm High", "Adlibs", "Beat (prod. Mixdown)"] {
            let channels = try AudioFixture.read(MixFixtures.demoStems.appendingPathComponent("\(name).wav")).channels
            if left.isEmpty { (left, right) = ([Float](repeating: 0, count: channels[0].count), [Float](repeating: 0, count: channels[0].count)) }
            for i in left.indices {
                left[i] += channels[0][i]
                right[i] += channels.count > 1 ? channels[1][i] : channels[0][i]
            }
        }
        let shape = try Equalizer(Equalizer.Settings(bands: [
            .init(.lowShelf, frequencyHz: 150, gainDB: -3), .init(.bell, frequencyHz: 2500, q: 1, gainDB: 2.5),
            .init(.highShelf, frequencyHz: 6000, gainDB: 3),
        ]))
        shape.prepare(ProcessSpec(sampleRate: 48_000, maxFrameCount: left.count))
        left.withUnsafeMutableBufferPointer { l in
            right.withUnsafeMutableBufferPointer { r in
                shape.process(AudioBlock(left: l.baseAddress!, right: r.baseAddress!, frameCount: l.count))
            }
        }
        let peak = max(left.map(abs).max()!, right.map(abs).max()!)
        let scale = Float(pow(10, -3.0 / 20)) / peak
        let url = folder.file("reference.wav")
        try AudioFixture.write([left.map { $0 * scale }, right.map { $0 * scale }], to: url, type: .wav(bits: 24), sampleRate: 48_000)
        return url
    }

    /// The long-term spectrum of a file's mid at the match's points.
    static func spectrum(_ url: URL) throws -> [Double?] {
        let (channels, rate) = try AudioFixture.read(url)
        let mid = zip(channels[0], channels[1]).map { 0.5 * ($0 + $1) }
        let spectrum = LongTermSpectrum(sampleRate: Double(rate))
        mid.withUnsafeBufferPointer { spectrum.add($0) }
        return spectrum.smoothedDB(at: ReferenceMatch.frequencies, octaves: ReferenceMatch.smoothingOctaves)
    }

    @Test("rendered: the written mix's smoothed spectrum within ±1.5 dB of the reference's from 60 Hz to 12 kHz, its loudness the reference's, under the ceiling")
    func rendered() async throws {
        let folder = try TemporaryDirectory(prefix: "mixdown-reference")
        let url = try Self.reference(in: folder)
        let reference = try ReferenceTrack.analyze(url: url)
        let plain = try await MixFixtures.render(MixFixtures.demoStems)
        let matched = try await MixFixtures.render(MixFixtures.demoStems, configure: { $0.reference = reference })
        func gaps(_ mix: URL) throws -> [Double] {
            let (m, r) = (try Self.spectrum(mix), try Self.spectrum(url))
            let differences = Self.points.compactMap { index in m[index].flatMap { a in r[index].map { $0 - a } } }
            let level = differences.reduce(0, +) / Double(differences.count)
            return differences.map { abs($0 - level) }
        }
        let before = try gaps(plain.destination.mixURL).max()!, after = try gaps(matched.destination.mixURL).max()!
        #expect(after <= 1.5, "the matched mix is \(after) dB from the reference's balance (the plain one \(before))")
        #expect(before > 2, "the reference was too close to the mix to prove anything (\(before) dB)")
        let summary = matched.summary
        #expect(abs(try #require(summary.integratedLUFS) - reference.loudnessLUFS) <= 0.2 || summary.targetNote != nil)
        #expect(summary.targetLUFS == reference.loudnessLUFS)
        #expect(try #require(summary.truePeakDBTP) <= -1)
        #expect(summary.reference?.file == "reference.wav" && summary.reference?.eq.isEmpty == false)
    }

    @Test("a reference that is not audio, or too short, is refused naming the file")
    func refused() throws {
        let folder = try TemporaryDirectory(prefix: "mixdown-reference-bad")
        try Data("not audio".utf8).write(to: folder.file("notes.wav"))
        #expect { try ReferenceTrack.analyze(url: folder.file("notes.wav")) } throws: { "\($0)".contains("notes.wav") }
        let blip = SignalGenerator.sine(frequencyHz: 440, sampleRate: 48_000, frameCount: 48_000, amplitude: 0.5)
        try AudioFixture.write([blip], to: folder.file("blip.wav"), type: .wav(bits: 16), sampleRate: 48_000)
        #expect { try ReferenceTrack.analyze(url: folder.file("blip.wav")) } throws: { "\($0)".contains("shorter than 3 s") }
    }
}
