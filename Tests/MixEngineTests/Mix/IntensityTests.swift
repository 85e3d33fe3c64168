import Foundation
@testable import MixEngine
import MixDSP
import MixTesting
import Testing

@Suite("Intensity per stage: 0 % bypasses bit-exactly, 100 % is the preset as written")
struct IntensityTests {
    static let library = try! PresetLibrary.load()

    @Test("at 100 % every built-in preset and recipe is itself; at 0 % each stage is gone")
    func fullAndNone() throws {
        let none = StageIntensity(eq: 0, compression: 0, saturation: 0, width: 0)
        for (role, preset) in Self.library.rolePresets {
            #expect(preset.applying(.full) == preset, "\(role)")
            let bare = preset.applying(none)
            #expect(bare.eq.isEmpty && bare.air == nil && bare.compressor == nil && bare.saturation == nil && bare.width == 1, "\(role)")
            // What the intensity does not touch stays.
            #expect(bare.targetLUFS == preset.targetLUFS && bare.gainDB == preset.gainDB && bare.deEsser == preset.deEsser)
        }
        for (name, recipe) in Self.library.recipes {
            #expect(recipe.applying(.full) == recipe, "\(name)")
            let bare = recipe.applying(none)
            #expect(bare.eq.isEmpty && bare.busCompressor == nil && bare.width == 1, "\(name)")
            #expect(bare.targetLUFS == recipe.targetLUFS && bare.limiterSettings == recipe.limiterSettings)
        }
    }

    @Test("in between, each stage's own amount scales: EQ gains, the ratio above 1:1 and makeup, the wet share, the width")
    func halfway() throws {
        let lead = try #require(Self.library.rolePresets[.lead])
        let half = lead.applying(StageIntensity(eq: 0.5, compression: 0.5, saturation: 0.5, width: 0.5))
        #expect(half.eq.map(\.gainDB) == lead.eq.map { $0.gainDB * 0.5 })
        #expect(half.eq.map(\.frequencyHz) == lead.eq.map(\.frequencyHz) && half.eq.map(\.kind) == lead.eq.map(\.kind))
        let compressor = try #require(lead.compressor), halved = try #require(half.compressor)
        #expect(halved.ratio == 1 + (compressor.ratio - 1) / 2 && halved.makeupDB == compressor.makeupDB / 2)
        #expect(halved.thresholdDB == compressor.thresholdDB && halved.attackMs == compressor.attackMs)
        #expect(half.saturation?.mix == lead.saturation.map { $0.mix / 2 })
        #expect(half.air?.gainDB == lead.air.map { $0.gainDB / 2 })
        let double = try #require(Self.library.rolePresets[.double])
        #expect(double.applying(StageIntensity(width: 0.5)).width == 1 + (double.width - 1) / 2)
        // A preset's own intensity and the mix's multiply.
        var own = lead
        own.intensity = StageIntensity(compression: 0.5)
        #expect(own.applying(StageIntensity(compression: 0.5)).compressor?.ratio == 1 + (compressor.ratio - 1) / 4)
    }

    /// The demo mixed with `options` changed by `configure`; the mix's bytes and its summary.
    static func mix(_ configure: (inout MixOptions) -> Void) async throws -> (bytes: Data, summary: MixSummary) {
        let rendered = try await MixFixtures.render(MixFixtures.demoStems, configure: configure)
        return (try Data(contentsOf: rendered.destination.mixURL), rendered.summary)
    }

    @Test("rendered: 100 % gives today's bytes; 0 % of a stage gives the bytes of presets without it",
          arguments: ["eq", "compression", "saturation", "width"])
    func renderedBypass(stage: String) async throws {
        let today = try await Self.mix { _ in }
        let full = try await Self.mix { $0.intensity = MixIntensity(tracks: .full, master: .full) }
        #expect(full.bytes == today.bytes)
        var zero = StageIntensity.full
        zero[stage: stage] = 0
        let bypassed = try await Self.mix { $0.intensity = MixIntensity(tracks: zero, master: stage == "saturation" ? .full : zero) }
        let without = try await Self.mix { options in
            options.presets = options.presets.mapValues { preset in
                var preset = preset
                switch stage {
                case "eq": (preset.eq, preset.air) = ([], nil)
                case "compression": preset.compressor = nil
                case "saturation": preset.saturation = nil
                default: preset.width = 1
                }
                return preset
            }
            switch stage {
            case "eq": options.recipe.eq = []
            case "compression": options.recipe.busCompressor = nil
            case "width": options.recipe.width = 1
            default: break
            }
        }
        #expect(bypassed.bytes == without.bytes, "\(stage) at 0 %")
        #expect(bypassed.bytes != today.bytes, "\(stage) at 0 % changed nothing")
        #expect(bypassed.summary.intensity.tracks[stage: stage] == 0)
    }

    @Test("rendered: the limiter at 0 % does no work and holds no ceiling of its own; at 50 % the mix lands halfway")
    func limiterPush() async throws {
        // `loud` pushes the demo hard into its limiter.
        func loud(_ limiter: Double) async throws -> MixSummary {
            try await MixFixtures.render(MixFixtures.demoStems, recipe: "loud", configure: {
                $0.intensity = MixIntensity(master: StageIntensity(limiter: limiter))
            }).summary
        }
        let full = try await loud(1), off = try await loud(0), half = try await loud(0.5)
        #expect(full.master.limiterGRMaxDB > 3 && full.targetReached)
        #expect(off.master.limiterGRMaxDB == 0)
        let (fullLUFS, offLUFS, halfLUFS) = (try #require(full.integratedLUFS), try #require(off.integratedLUFS), try #require(half.integratedLUFS))
        #expect(offLUFS < fullLUFS - 3, "no limiter: \(offLUFS) LUFS")
        #expect(abs(halfLUFS - (offLUFS + fullLUFS) / 2) <= 0.5, "half: \(halfLUFS) between \(offLUFS) and \(fullLUFS)")
        #expect(!off.targetReached && off.targetNote?.contains("0 % limiter intensity") == true)
        for summary in [full, off, half] { #expect(try #require(summary.truePeakDBTP) <= -1) }
    }

    @Test("rendered: half the compression, less gain reduction on every compressed track")
    func halfCompression() async throws {
        let today = try await Self.mix { _ in }
        let half = try await Self.mix { $0.intensity = MixIntensity(tracks: StageIntensity(compression: 0.5)) }
        for (before, after) in zip(today.summary.tracks, half.summary.tracks) where before.compressorGRMaxDB > 1 {
            #expect(after.compressorGRAverageDB < before.compressorGRAverageDB, "\(before.file)")
        }
        // The master is untouched by the tracks' intensity, and the mix still lands on target.
        #expect(half.summary.master.busCompressorGRMaxDB > 0)
        #expect(abs(try #require(half.summary.integratedLUFS) - -14) <= 0.2)
    }
}
