import Foundation
@testable import MixEngine
import MixDSP
import MixTesting
import Testing

@Suite("The lead on top whatever the session: balance by group, rendered")
struct SessionBalanceTests {
    /// The demo's stems, decoded once.
    static let demo: [String: [[Float]]] = {
        var stems: [String: [[Float]]] = [:]
        for name in ["Lead Vox", "Lead Vox Dbl", "Harm High", "Adlibs", "Beat (prod. Mixdown)"] {
            stems[name] = try! AudioFixture.read(MixFixtures.demoStems.appendingPathComponent("\(name).wav")).channels
        }
        return stems
    }()

    /// `channels` a few milliseconds late (a second take of a part).
    static func late(_ channels: [[Float]], ms: Double) -> [[Float]] {
        let shift = Int(ms * 48)
        return channels.map { Array(repeating: 0, count: shift) + $0.dropLast(shift) }
    }

    /// A session of the demo's lead, `backingCount` backing stems (doubles, harmonies, adlibs and
    /// later takes of them) and a beat from sparse (its kick and 808 alone) to dense (a wide-band
    /// noise bed under it, busiest where the voice lives).
    static func session(backingCount: Int, beat: String) throws -> (folder: TemporaryDirectory, roles: [String: Role]) {
        let folder = try TemporaryDirectory(prefix: "mixdown-balance")
        var roles: [String: Role] = [:]
        func save(_ name: String, _ channels: [[Float]], _ role: Role) throws {
            try AudioFixture.write(channels, to: folder.file("\(name).wav"), type: .wav(bits: 24), sampleRate: 48_000)
            roles["\(name).wav"] = role
        }
        try save("Lead", demo["Lead Vox"]!, .lead)
        let backing: [(String, [[Float]], Role)] = [
            ("Double", demo["Lead Vox Dbl"]!, .double), ("Harmony", demo["Harm High"]!, .harmony), ("Adlibs", demo["Adlibs"]!, .adlib),
            ("Double 2", late(demo["Lead Vox Dbl"]!, ms: 23), .double), ("Harmony 2", late(demo["Harm High"]!, ms: 31), .harmony),
            ("Adlibs 2", late(demo["Adlibs"]!, ms: 250), .adlib),
        ]
        for (name, channels, role) in backing.prefix(backingCount) { try save(name, channels, role) }
        var drums = demo["Beat (prod. Mixdown)"]!
        let count = drums[0].count
        switch beat {
        case "sparse":
            // Kick and 808 only: the beat through a 150 Hz low-pass (four one-pole stages).
            let coefficient = Float(exp(-2 * Double.pi * 150 / 48_000))
            for channel in drums.indices {
                for _ in 0..<4 {
                    var state: Float = 0
                    for i in 0..<count {
                        state = (1 - coefficient) * drums[channel][i] + coefficient * state
                        drums[channel][i] = state
                    }
                }
            }
        case "dense":
            let bed = [SignalGenerator.noise(frameCount: count, amplitude: 0.08, seed: 11),
                       SignalGenerator.noise(frameCount: count, amplitude: 0.08, seed: 12)]
            for channel in drums.indices {
                for i in 0..<count { drums[channel][i] += bed[channel][i] }
            }
        default:
            break
        }
        try save("Beat", drums, .beat)
        return (folder, roles)
    }

    @Test("lead re: the rest and re: the mix on the recipe's targets, backing 10 LU under the lead",
          arguments: [0, 1, 3, 6], ["sparse", "steady", "dense"])
    func leadOnTop(backingCount: Int, beat: String) async throws {
        let (folder, roles) = try Self.session(backingCount: backingCount, beat: beat)
        let inspection = try await MixFixtures.inspect(folder.url, roles: roles)
        let options = try MixOptions.standard(recipe: "balanced")
        let output = try TemporaryDirectory(prefix: "mixdown-balance-mix")
        let summary = try MixRenderer(options: options).render(
            inspection, to: .init(mixURL: output.file("mix.wav")))
        let recipe = options.recipe
        #expect(summary.balance.applied, "\(summary.balance.note ?? "")")
        let leadReRest = try #require(summary.quality["lead_re_rest_lu"]?.value)
        let leadReMix = try #require(summary.quality["lead_re_mix_lu"]?.value)
        // The lead over an unrelated rest R LU under it: 10·log10(1 + 10^(−R/10)) under the mix.
        let leadReMixTarget = -10 * log10(1 + pow(10, -recipe.leadReRestLU / 10))
        #expect(abs(leadReRest - recipe.leadReRestLU) <= 1, "lead re: the rest \(leadReRest) LU")
        #expect(abs(leadReMix - leadReMixTarget) <= 1, "lead re: the mix \(leadReMix) LU, target \(leadReMixTarget)")
        // The decision's own reading is the blend's, to the hundredth.
        #expect(abs(leadReRest - recipe.leadReRestLU) <= 0.05)
        let groups = Dictionary(uniqueKeysWithValues: summary.balance.groups.map { ($0.group, $0) })
        let lead = try #require(groups[.lead]?.loudnessLUFS)
        if backingCount > 0 {
            let backing = try #require(groups[.backing])
            let backed = try #require(backing.loudnessLUFS) + backing.gainDB
            #expect(abs(backed - lead - recipe.backingReLeadLU) <= 0.01, "backing \(backed - lead) LU re: the lead")
        } else {
            #expect(groups[.backing] == nil)
        }
        // Each track's loudness in the mix carries its group's gain.
        for track in summary.tracks where track.role != .lead {
            #expect(track.groupGainDB == groups[MixGroup(role: track.role)]?.gainDB)
        }
        // On target and under the ceiling as ever.
        #expect(abs(try #require(summary.integratedLUFS) - recipe.targetLUFS) <= 0.1)
        #expect(try #require(summary.truePeakDBTP) <= recipe.ceilingDBTP)
    }

    @Test("room for the lead: no cut in the beat before the lead first sings, a cut within its limit once it does")
    func leadRoom() async throws {
        let folder = try TemporaryDirectory(prefix: "mixdown-lead-room")
        let rate = 48_000
        // The lead comes in after 4 s of beat alone; the beat is dense where the voice lives.
        let lead = Self.demo["Lead Vox"]!.map { Array(repeating: 0, count: 4 * rate) + $0 }
        var beat = Self.demo["Beat (prod. Mixdown)"]!.map { $0 + Array(repeating: Float(0), count: 4 * rate) }
        let bed = [SignalGenerator.noise(frameCount: beat[0].count, amplitude: 0.1, seed: 31),
                   SignalGenerator.noise(frameCount: beat[0].count, amplitude: 0.1, seed: 32)]
        for channel in beat.indices { for i in beat[channel].indices { beat[channel][i] += bed[channel][i] } }
        try AudioFixture.write(lead, to: folder.file("Lead.wav"), type: .wav(bits: 24), sampleRate: rate)
        try AudioFixture.write(beat, to: folder.file("Beat.wav"), type: .wav(bits: 24), sampleRate: rate)
        let inspection = try await MixFixtures.inspect(folder.url, roles: ["Lead.wav": .lead, "Beat.wav": .beat])
        let options = try MixOptions.standard(recipe: "balanced")
        let limit = try #require(options.recipe.leadRoom?.maxReductionDB)
        let output = try TemporaryDirectory(prefix: "mixdown-lead-room-mix")
        let destination = MixRenderer.Destination(mixURL: output.file("mix.wav"))
        let summary = try MixRenderer(options: options).render(inspection, to: destination)
        let frames = try FrameFileReader(url: destination.framesURL)
        var before: [Double] = [], after: [Double] = []
        for index in 0..<frames.header.frameCount {
            let frame = try frames.frame(at: index)
            if frame.timeSeconds < 3.9 { before.append(frame.master.leadRoomGainReductionDB) } else { after.append(frame.master.leadRoomGainReductionDB) }
        }
        #expect(before.allSatisfy { $0 == 0 }, "a cut before the lead sang: \(before.max() ?? 0) dB")
        #expect(after.allSatisfy { $0 <= limit + 0.005 } && after.contains { $0 > 0.5 }, "cuts \(after.max() ?? 0) dB")
        let deepest = try #require(summary.master.leadRoomGRMaxDB)
        #expect(deepest > 0.5 && deepest <= limit)
        #expect(abs(deepest - (after.max() ?? 0)) <= 0.01)
    }
}
