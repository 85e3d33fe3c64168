import Foundation
import MixEngine
import MixTesting
import Testing

@Suite("Roles guessed from the content")
struct RoleGuessTests {
    @Test("the demo session under names that say nothing: every role guessed, and marked as guessed")
    func demoUnderDawNames() async throws {
        let folder = try TemporaryDirectory()
        let files = try DemoSession.write(to: folder.url)
        var truth: [String: Role] = [:]
        let roles: [Role] = [.lead, .double, .harmony, .adlib, .beat]
        for (index, url) in files.enumerated() {
            let anonymous = "Audio \(index + 1).wav"
            try FileManager.default.moveItem(at: url, to: folder.file(anonymous))
            truth[anonymous] = roles[index]
        }
        let inspection = try await SessionInspector().inspect(folder: folder.url)
        for stem in inspection.stems {
            #expect(stem.role.isGuessed)
            #expect(stem.role.role == truth[stem.fileName], "\(stem.fileName)")
        }
    }

    @Test("a named lead is kept; a user's role beats both the name and the content")
    func overrides() async throws {
        let folder = try TemporaryDirectory()
        try DemoSession.write(to: folder.url)
        let inspector = SessionInspector(roleOverrides: ["Harm High.wav": .double])
        let inspection = try await inspector.inspect(folder: folder.url)
        let harmony = inspection.stems.first { $0.fileName == "Harm High.wav" }!
        #expect(harmony.role == RoleAssignment(.double, source: .user))
        let lead = inspection.stems.first { $0.fileName == "Lead Vox.wav" }!
        #expect(lead.role == RoleAssignment(.lead, source: .name))
        #expect(inspection.stems.map(\.fileName).first == "Lead Vox.wav")
    }

    @Test("pitch intervals: a double sits on the lead's pitch, a harmony a third away, octave errors fold")
    func intervals() {
        let lead: [Float] = Array(repeating: 220, count: 40)
        let double = lead.map { $0 * pow(2, 0.1 / 12) }
        let harmonyUp = lead.map { $0 * pow(2, 4 / 12) }
        let octaveSlip = lead.map { $0 * 2 }
        #expect(RoleGuesser.medianInterval(double, against: lead)! < 0.2)
        #expect(abs(RoleGuesser.medianInterval(harmonyUp, against: lead)! - 4) < 0.01)
        #expect(RoleGuesser.medianInterval(octaveSlip, against: lead)! < 0.01)
        #expect(RoleGuesser.medianInterval(Array(double.prefix(5)), against: lead) == nil)
    }
}

@Suite("Roles guessed from the content: sessions with little to go on")
struct SparseSessionTests {
    @Test("a session whose only unnamed voice is sparse still gets a lead")
    func sparseVoiceBecomesLead() async throws {
        let folder = try TemporaryDirectory()
        let demo = try TemporaryDirectory()
        let files = try DemoSession.write(to: demo.url)
        // The demo's adlibs (sparse) under a name that says nothing, with the beat.
        try FileManager.default.copyItem(at: files[3], to: folder.file("Audio 1.wav"))
        try FileManager.default.copyItem(at: files[4], to: folder.file("Beat.wav"))
        let inspection = try await SessionInspector().inspect(folder: folder.url)
        let voice = inspection.stems.first { $0.fileName == "Audio 1.wav" }!
        #expect(voice.role == RoleAssignment(.lead, source: .content))
    }
}
