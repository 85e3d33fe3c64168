import Foundation
import MixEngine
import MixTesting
import Testing

@Suite("Roles from file names")
struct RoleNameRulesTests {
    /// SPEC §2's examples, every named stem of the corpus sessions, and the traps around them.
    static let table: [(String, Role?)] = [
        // SPEC §2
        ("Lead Vox.wav", .lead), ("LEAD_VOCAL_final.wav", .lead), ("vox main.wav", .lead),
        ("Dbl L.wav", .double), ("double_R.wav", .double), ("dub.wav", .double),
        ("Harm 1.wav", .harmony), ("harmony high.wav", .harmony), ("BGV.wav", .harmony), ("backing.wav", .harmony),
        ("Adlibs.wav", .adlib), ("ad-libs (hook).wav", .adlib), ("ad lib.wav", .adlib),
        ("Beat.wav", .beat), ("BEAT (prod. x).wav", .beat), ("Instrumental.wav", .beat), ("inst 2track.wav", .beat),
        ("808.wav", .beat), ("drums.wav", .beat), ("music.wav", .beat),
        ("Audio 1.wav", nil), ("Track 07.wav", nil),
        // Corpus session 01
        ("Dbl R.wav", .double), ("Harm 2.wav", .harmony),
        // Corpus session 02
        ("double_L.wav", .double), ("harmony low.wav", .harmony), ("BEAT (prod. someone).mp3", .beat),
        // Corpus session 04: the names say nothing
        ("Audio 2.wav", nil), ("Audio 3.wav", nil), ("final final v3.wav", nil),
        // Corpus session 06
        ("LEAD VOX.wav", .lead), ("Dbl.wav", .double), ("Harm 3.wav", .harmony), ("Adlib 2.wav", .adlib),
        // Corpus session 07: "Lead Dbl" holds both words; a person labels it a double
        ("Lead Dbl.wav", .double), ("Harmony.wav", .harmony),
        // Bad-input corpus names
        ("Lead Vox – José ñ 🎤 ボーカル (final) ü.wav", .lead), ("Harmonie e\u{301}te\u{301}.wav", .harmony),
        // More producers' habits
        ("LeadVox_take3.wav", .lead), ("Vocal.wav", .lead), ("HOOK DBL.wav", .double), ("Hook.wav", .lead),
        ("Kick.wav", .beat), ("01 Beat.mp3", .beat), ("Instrumentale.flac", .beat),
        ("adlib-hype.wav", .adlib), ("Main Beat.wav", .beat), ("Harmony Vox.wav", .harmony),
        ("final.wav", nil), ("untitled.wav", nil), ("", nil), (".wav", nil),
        // Traps: phrases, credits and instruments next to role words
        ("Backing Track (Instrumental).wav", .beat), ("Backing Track.wav", .beat), ("Lead Vox (prod. Kid).wav", .lead),
        ("Hook Vox Piano Version.wav", .lead), ("Lead Vocals ft. Drums.wav", .lead), ("Harmony Stack.wav", .harmony),
        ("BGV Stack.wav", .harmony), ("Vox Stack.wav", .lead), ("Stack 2.wav", .double), ("Harmonica.wav", .beat),
    ]

    @Test("the table", arguments: table)
    func fromName(name: String, role: Role?) {
        #expect(RoleNameRules.role(forFileName: name) == role)
    }

    @Test("words split at spaces, _ - . ( ), digits and camelCase")
    func words() {
        #expect(RoleNameRules.words(of: "LEAD_VOCAL_final.wav") == ["lead", "vocal", "final"])
        #expect(RoleNameRules.words(of: "ad-libs (hook).wav") == ["ad", "libs", "hook"])
        #expect(RoleNameRules.words(of: "inst 2track.wav") == ["inst", "2", "track"])
        #expect(RoleNameRules.words(of: "LeadVox808.aiff") == ["lead", "vox", "808"])
    }

    @Test(
        "every named stem in the corpus manifests", .enabled(if: Corpus.sessionsDirectory != nil, Comment(rawValue: Corpus.sessionsAbsentMessage)),
        arguments: ["01_trap_daw_export", "02_rnb_mixed_formats", "04_ambiguous_names", "06_edge_levels_lengths", "07_long_4min"])
    func corpusManifests(session: String) throws {
        for file in try Corpus.sessionManifest(session).files {
            let expected = file.role == "unknown" ? nil : Role(rawValue: file.role)
            #expect(RoleNameRules.role(forFileName: file.file) == expected, "\(session)/\(file.file)")
        }
    }

    @Test("processing order: lead, double, harmony, adlib, other, beat; ties by name; stable")
    func processingOrder() {
        func stem(_ name: String, _ role: Role) -> StemReport {
            StemReport(fileName: name, role: RoleAssignment(role, source: .name))
        }
        let stems = [
            stem("Beat.wav", .beat), stem("b.wav", .other), stem("Harm 2.wav", .harmony), stem("808.wav", .beat),
            stem("Adlibs.wav", .adlib), stem("Dbl R.wav", .double), stem("harm 1.wav", .harmony),
            stem("Lead.wav", .lead), stem("Dbl L.wav", .double),
        ]
        let expected = ["Lead.wav", "Dbl L.wav", "Dbl R.wav", "harm 1.wav", "Harm 2.wav", "Adlibs.wav", "b.wav", "808.wav", "Beat.wav"]
        #expect(stems.sorted(by: StemOrder.precedes).map(\.fileName) == expected)
        #expect(stems.reversed().sorted(by: StemOrder.precedes).map(\.fileName) == expected)
    }
}
