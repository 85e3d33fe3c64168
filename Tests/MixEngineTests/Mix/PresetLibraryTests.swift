import Foundation
import MixDSP
@testable import MixEngine
import MixTesting
import Testing

@Suite("role presets and recipes")
struct PresetLibraryTests {
    static func file(_ json: String) throws -> (TemporaryDirectory, URL) {
        let folder = try TemporaryDirectory()
        let url = folder.file("mine.json")
        try Data(json.utf8).write(to: url)
        return (folder, url)
    }

    @Test("the built-in library has every role and the six recipes with their documented targets")
    func builtIn() throws {
        let library = try PresetLibrary.load()
        #expect(Set(library.rolePresets.keys) == Set(Role.allCases))
        #expect(library.recipeNames == ["balanced", "bright", "clean", "loud", "punchy", "warm"])
        let targets = library.recipes.mapValues(\.targetLUFS)
        #expect(targets["balanced"] == -14 && targets["loud"] == -9 && targets["clean"] == -16)
        #expect(library.recipes.values.allSatisfy { $0.ceilingDBTP == -1 })
        // The vocal chain has its de-esser and air; the beat has neither (SPEC §3).
        for role in [Role.lead, .double, .harmony, .adlib] {
            #expect(library.preset(for: role).deEsser != nil && library.preset(for: role).air != nil)
        }
        #expect(library.preset(for: .beat).deEsser == nil && library.preset(for: .beat).air == nil)
        #expect(library.preset(for: .double).width > 1 && library.preset(for: .harmony).width > 1)
    }

    @Test("a user file changes one value, removes a stage with null, and leaves the rest")
    func merge() throws {
        let (folder, url) = try Self.file(#"{"lead": {"gain_db": 2.5, "compressor": {"ratio": 6}}, "beat": {"compressor": null}}"#)
        _ = folder
        let builtIn = try PresetLibrary.load()
        let library = try PresetLibrary.load(presetsFile: url)
        #expect(library.preset(for: .lead).gainDB == 2.5)
        #expect(library.preset(for: .lead).compressor?.ratio == 6)
        #expect(library.preset(for: .lead).compressor?.thresholdDB == builtIn.preset(for: .lead).compressor?.thresholdDB)
        #expect(library.preset(for: .beat).compressor == nil)
        #expect(library.preset(for: .double) == builtIn.preset(for: .double))
    }

    @Test("a new recipe starts from balanced")
    func newRecipe() throws {
        let (folder, url) = try Self.file(#"{"radio": {"target_lufs": -11, "about": "for radio"}}"#)
        _ = folder
        let library = try PresetLibrary.load(recipesFile: url)
        let radio = try library.recipe(named: "radio")
        let balanced = try library.recipe(named: "balanced")
        #expect(radio.targetLUFS == -11 && radio.about == "for radio")
        #expect(radio.eq == balanced.eq && radio.busCompressor == balanced.busCompressor)
    }

    @Test(
        "a bad file is an error naming the file, the key and the reason",
        arguments: [
            (#"{"lead": {"compressor": {"treshold_db": -20}}}"#, "mine.json: lead.compressor.treshold_db: unknown key"),
            (#"{"lead": {"compressor": {"ratio": 0.5}}}"#, "mine.json: lead.compressor.ratio: must be between 1 and 100 (got 0.5)"),
            (#"{"lead": {"gain_db": "loud"}}"#, "mine.json: lead.gain_db: expected a number"),
            (#"{"lead": {"eq": [{"kind": "bell", "frequency_hz": 5, "q": 1, "gain_db": 2}]}}"#,
             "mine.json: lead.eq[0].frequency_hz: must be between 10 and 40000 Hz (got 5)"),
            (#"{"lead": {"eq": [{"kind": "notch", "frequency_hz": 500, "q": 1, "gain_db": 2}]}}"#,
             "mine.json: lead.eq[0].kind: not an allowed value"),
            (#"{"vocals": {"gain_db": 1}}"#, "mine.json: vocals: not a role; roles are lead, double, harmony, adlib, beat, other"),
            (#"{"lead": "#, "mine.json: not valid JSON"),
        ])
    func badPresetFile(json: String, message: String) throws {
        let (folder, url) = try Self.file(json)
        _ = folder
        #expect {
            try PresetLibrary.load(presetsFile: url)
        } throws: { error in
            (error as? PresetError)?.description == message
        }
    }

    @Test("a bad recipe value names the recipe and the key")
    func badRecipe() throws {
        let (folder, url) = try Self.file(#"{"loud": {"ceiling_dbtp": 3}, "mine": {"limiter_release_ms": 0}}"#)
        _ = folder
        #expect {
            try PresetLibrary.load(recipesFile: url)
        } throws: { error in
            let text = (error as? PresetError)?.description ?? ""
            return text == "mine.json: loud.ceiling_dbtp: must be between -20 and 0 dBTP (got 3)"
                || text == "mine.json: mine.limiter_release_ms: must be between 1 and 5000 ms (got 0)"
        }
    }

    @Test("JSON key spellings map to Swift names and back")
    func keySpelling() {
        #expect(PresetKeys.swiftName("threshold_db") == "thresholdDB")
        #expect(PresetKeys.swiftName("de_esser") == "deEsser")
        #expect(PresetKeys.swiftName("ceiling_dbtp") == "ceilingDBTP")
        #expect(PresetKeys.jsonName("maxReductionDB") == "max_reduction_db")
        #expect(PresetKeys.jsonName("eq[2].frequencyHz") == "eq[2].frequency_hz")
        #expect(PresetKeys.jsonName("targetLUFS") == "target_lufs")
    }
}
