import Foundation
@testable import MixEngine
import MixTesting
import Testing

@Suite("The mono check of widened tracks")
struct TrackMonoCheckTests {
    @Test("a wide double: its correlation and mono loss are the widener's math on uncorrelated sides; an unwidened track has none")
    func wideDouble() async throws {
        let folder = try TemporaryDirectory(prefix: "mixdown-mono")
        let count = 10 * 48_000
        // Left and right unrelated noise of equal power: M² = S² before the widener.
        let left = SignalGenerator.noise(frameCount: count, amplitude: 0.2, seed: 21)
        let right = SignalGenerator.noise(frameCount: count, amplitude: 0.2, seed: 22)
        let tone = SignalGenerator.sine(frequencyHz: 220, sampleRate: 48_000, frameCount: count, amplitude: 0.3)
        try AudioFixture.write([left, right], to: folder.file("Dbl.wav"), type: .wav(bits: 24), sampleRate: 48_000)
        try AudioFixture.write([tone, tone], to: folder.file("Lead.wav"), type: .wav(bits: 24), sampleRate: 48_000)
        let inspection = try await MixFixtures.inspect(folder.url, roles: ["Dbl.wav": .double, "Lead.wav": .lead])
        let options = try MixOptions.standard()
        let output = try TemporaryDirectory(prefix: "mixdown-mono-mix")
        let summary = try MixRenderer(options: options).render(inspection, to: .init(mixURL: output.file("mix.wav")))
        let width = try #require(options.presets[.double]?.width)
        #expect(width != 1)
        let double = try #require(summary.tracks.first { $0.file == "Dbl.wav" })
        let check = try #require(double.monoCheck)
        // L = M + wS, R = M − wS with M² = S², MS = 0: r = (1 − w²)/(1 + w²); mono keeps M² of M² + w²S².
        #expect(abs(check.correlation - (1 - width * width) / (1 + width * width)) <= 0.05, "r \(check.correlation)")
        let loss = try #require(check.monoLossLU)
        #expect(abs(loss - 10 * log10(1 + width * width)) <= 0.3, "mono loss \(loss) LU")
        // The lead is not widened (width 1): no check.
        #expect(summary.tracks.first { $0.file == "Lead.wav" }?.monoCheck == nil)
    }
}
