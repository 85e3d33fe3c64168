import Foundation
import MixEngine
import MixTesting
import Testing

/// The `mixdown` binary, run as a user runs it.
@Suite("mixdown command line")
struct CLITests {
    /// The binary built beside this test bundle (`swift build --build-tests` builds both).
    static let binary: String = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mixdown")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside.path }
        return Corpus.repositoryRoot.appendingPathComponent(".build/debug/mixdown").path
    }()

    static func run(_ arguments: String...) throws -> ProcessRunner.Result {
        try ProcessRunner.run(binary, arguments)
    }

    /// A folder with two good stems and one truncated file.
    static func sessionWithOneBadFile() throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory()
        let tone = SignalGenerator.sine(frequencyHz: 220, sampleRate: 44_100, frameCount: 44_100, amplitude: 0.3)
        try AudioFixture.write([tone], to: folder.file("Lead Vox.wav"), type: .wav(bits: 24), sampleRate: 44_100)
        try AudioFixture.write([tone, tone], to: folder.file("Beat.flac"), type: .flac(bits: 16), sampleRate: 48_000)
        try AudioFixture.write([tone, tone], to: folder.file("Dbl L.wav"), type: .wav(bits: 16), sampleRate: 44_100)
        // Cut the double to a third: the header still declares the whole second.
        let dbl = folder.file("Dbl L.wav")
        let data = try Data(contentsOf: dbl)
        try data.prefix(44 + (data.count - 44) / 3).write(to: dbl)
        try Data("lyrics".utf8).write(to: folder.file("lyrics.txt"))
        return folder
    }

    @Test("inspect --json: every file listed, the bad one rejected with its reason, exit 2")
    func inspectJSON() throws {
        let folder = try Self.sessionWithOneBadFile()
        let result = try Self.run("inspect", folder.url.path, "--json")
        #expect(result.status == 2, "\(result.standardError)")
        let json = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as! [String: Any]
        // The rejected 44.1 kHz file does not vote: one stem each at 44.1 and 48 kHz ties to 48 kHz.
        #expect(json["session_rate"] as? Int == 48_000)
        let files = json["files"] as! [[String: Any]]
        #expect(files.map { $0["file"] as! String } == ["Lead Vox.wav", "Beat.flac", "Dbl L.wav"])
        let bad = files[2]
        #expect(bad["usable"] as? Bool == false)
        let problem = (bad["problems"] as! [String])[0]
        #expect(problem.hasPrefix("truncated: its header declares 1.0 s"))
        #expect(files[1]["format"] as? String == "FLAC 16-bit")
        #expect(files[1]["role"] as? String == "beat")
        #expect(files[0]["duration_s"] as? Double == 1.0)
    }

    @Test("inspect: a table with the rejected file named, its reason, and exit 2")
    func inspectTable() throws {
        let folder = try Self.sessionWithOneBadFile()
        let result = try Self.run("inspect", folder.url.path)
        #expect(result.status == 2)
        #expect(result.standardOutput.contains("✗ Dbl L.wav: truncated"))
        #expect(result.standardOutput.contains("ignored lyrics.txt"))
        #expect(result.standardOutput.contains("2 usable, 1 rejected"))
    }

    @Test("inspect exits 0 when every file is usable; --role and --rate apply")
    func overrides() throws {
        let folder = try Self.sessionWithOneBadFile()
        try FileManager.default.removeItem(at: folder.file("Dbl L.wav"))
        let result = try Self.run("inspect", folder.url.path, "--json", "--role", "Beat.flac=other", "--rate", "96000")
        #expect(result.status == 0, "\(result.standardError)")
        let json = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as! [String: Any]
        #expect(json["session_rate"] as? Int == 96_000)
        let beat = (json["files"] as! [[String: Any]]).first { $0["file"] as? String == "Beat.flac" }!
        #expect(beat["role"] as? String == "other")
        #expect(beat["role_guessed"] as? Bool == false)
    }

    @Test("bad arguments are refused with the field and the reason", arguments: [
        (["--role", "Nope.wav=lead"], "no audio file named \"Nope.wav\""),
        (["--role", "Beat.flac=drummer"], "unknown role 'drummer'"),
        (["--role", "Beat.flac"], "expected FILE=ROLE"),
        (["--rate", "1"], "--rate 1"),
    ])
    func badArguments(arguments: [String], message: String) throws {
        let folder = try Self.sessionWithOneBadFile()
        let result = try ProcessRunner.run(Self.binary, ["inspect", folder.url.path] + arguments)
        #expect(result.status != 0 && result.status != 2)
        #expect(result.standardError.contains(message), "\(result.standardError)")
    }

    @Test("a folder that does not exist is an error naming it")
    func missingFolder() throws {
        let result = try Self.run("inspect", "/nonexistent/session")
        #expect(result.status != 0)
        #expect(result.standardError.contains("/nonexistent/session"))
    }

    @Test("demo writes five named stems and inspects them: all usable, roles from the names")
    func demo() throws {
        let folder = try TemporaryDirectory()
        let out = folder.file("demo").path
        let result = try Self.run("demo", "--out", out)
        #expect(result.status == 0, "\(result.standardError)")
        let written = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(written == DemoSession.fileNames.sorted())
        for role in ["lead", "double", "harmony", "adlib", "beat"] {
            #expect(result.standardOutput.contains(role))
        }
        #expect(result.standardOutput.contains("5 usable, 0 rejected"))
        #expect(!result.standardOutput.contains("guessed"))
    }
}

@Suite("mixdown command line: names, links and the user's files")
struct CLISafetyTests {
    @Test("a hostile file name never reaches the terminal raw; links are followed")
    func hostileNamesAndLinks() throws {
        let folder = try TemporaryDirectory()
        let tone = SignalGenerator.sine(frequencyHz: 220, sampleRate: 48_000, frameCount: 48_000, amplitude: 0.3)
        try AudioFixture.write([tone], to: folder.file("Lead Vox.wav"), type: .wav(bits: 16), sampleRate: 48_000)
        try Data("x".utf8).write(to: folder.file("evil\u{1B}[2J\u{1B}[31mpwned\nfake line.txt"))
        try FileManager.default.createSymbolicLink(at: folder.file("Beat.wav"), withDestinationURL: folder.file("Lead Vox.wav"))
        let sub = folder.file("takes")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: folder.file("linked takes"), withDestinationURL: sub)
        let result = try CLITests.run("inspect", folder.url.path)
        #expect(result.status == 0, "\(result.standardOutput)")
        #expect(!result.standardOutput.contains("\u{1B}"))
        #expect(!result.standardOutput.contains("\nfake line"))
        #expect(result.standardOutput.contains("ignored linked takes: a folder"))
        #expect(result.standardOutput.contains("2 usable, 0 rejected"))
    }

    @Test("demo refuses a folder that holds the user's files, and touches nothing in it")
    func demoKeepsUserFiles() throws {
        let folder = try TemporaryDirectory()
        let take = folder.file("Lead Vox.wav")
        try Data("my precious take".utf8).write(to: take)
        try Data("notes".utf8).write(to: folder.file("notes.txt"))
        let result = try CLITests.run("demo", "--out", folder.url.path)
        #expect(result.status == 1)
        #expect(result.standardError.contains("already holds other files"))
        #expect(try String(contentsOf: take, encoding: .utf8) == "my precious take")
    }
}
