import Foundation
import MixEngine
import MixTesting
import Testing

/// The `mixdown` binary, run as a user runs it.
@Suite("mixdown command line")
struct CLITests {
    /// The binary built beside this test bundle (`swift build --build-tests` builds both).
    static let binary = ProcessRunner.mixdownBinary

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

    @Test("demo writes five named stems and mixes them: the mix beside the folder, on target, roles from the names")
    func demo() throws {
        let folder = try TemporaryDirectory()
        let out = folder.file("demo").path
        let result = try Self.run("demo", "--out", out)
        #expect(result.status == 0, "\(result.standardError)")
        let written = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(written == DemoSession.fileNames.sorted(), "the mix is not written among the stems")
        for role in ["lead", "double", "harmony", "adlib", "beat"] {
            #expect(result.standardOutput.contains(role))
        }
        #expect(!result.standardOutput.contains("guessed"))
        #expect(result.standardOutput.contains("I -14.0 LUFS (target -14, reached)"))
        #expect(result.standardOutput.contains("held"))
        #expect(result.standardOutput.contains("Wrote \(folder.file("demo-mix.wav").path)"))
        #expect(FileManager.default.fileExists(atPath: folder.file("demo-mix.frames").path))
    }
}

@Suite("mixdown mix")
struct MixCLITests {
    /// Two short good stems (a voice-like tone and a bed).
    static func session() throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory()
        let tone = SignalGenerator.sine(frequencyHz: 220, sampleRate: 48_000, frameCount: 96_000, amplitude: 0.3)
        let bed = SignalGenerator.noise(frameCount: 96_000, amplitude: 0.2, seed: 3)
        let stems = folder.file("stems")
        try FileManager.default.createDirectory(at: stems, withIntermediateDirectories: true)
        try AudioFixture.write([tone], to: stems.appendingPathComponent("Lead Vox.wav"), type: .wav(bits: 24), sampleRate: 48_000)
        try AudioFixture.write([bed, bed], to: stems.appendingPathComponent("Beat.wav"), type: .wav(bits: 16), sampleRate: 48_000)
        return folder
    }

    @Test("--json prints the summary with the documented keys; the files are written where asked, their folder made")
    func json() throws {
        let folder = try Self.session()
        let out = folder.file("renders/today/song.flac").path
        let result = try CLITests.run("mix", folder.file("stems").path, "--out", out, "--format", "flac24", "--fps", "20", "--json")
        #expect(result.status == 0, "\(result.standardError)")
        let summary = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as! [String: Any]
        for key in ["output", "duration_s", "sample_rate", "recipe", "integrated_lufs", "true_peak_dbtp", "loudness_range_lu",
                    "tracks", "rejected", "target_reached", "ceiling_held", "master", "spectra", "waveform"] {
            #expect(summary[key] != nil, "missing \(key)")
        }
        #expect(summary["output"] as? String == out)
        #expect(summary["recipe"] as? String == "balanced" && summary["frames_per_second"] as? Int == 20)
        let tracks = summary["tracks"] as! [[String: Any]]
        #expect(tracks.map { $0["file"] as! String } == ["Lead Vox.wav", "Beat.wav"])
        #expect(tracks.map { $0["role"] as! String } == ["lead", "beat"])
        #expect(tracks.allSatisfy { $0["role_guessed"] as? Bool == false })
        #expect(abs((summary["integrated_lufs"] as! Double) + 14) <= 0.2)
        #expect((summary["true_peak_dbtp"] as! Double) <= -1)
        for name in ["song.flac", "song.frames", "song.summary.json"] {
            #expect(FileManager.default.fileExists(atPath: folder.file("renders/today/\(name)").path), "\(name) missing")
        }
        // The frames convert to the original's JSON, one object per line.
        let frames = try CLITests.run("frames", folder.file("renders/today/song.frames").path, "--at", "1.0")
        #expect(frames.status == 0, "\(frames.standardError)")
        let frame = try JSONSerialization.jsonObject(with: Data(frames.standardOutput.utf8)) as! [String: Any]
        #expect(frame["frame"] as? Int == 20)
        #expect(frame["realtime_meters"] != nil && frame["realtime_spectra"] != nil && frame["realtime_scope"] != nil)
    }

    @Test("--intensity scales a stage for the tracks, the master or both, and says so in the summary; bad values are refused")
    func intensity() throws {
        let folder = try Self.session()
        let result = try CLITests.run(
            "mix", folder.file("stems").path, "--out", folder.file("song.wav").path, "--json",
            "--intensity", "compression=0", "--intensity", "master.width=50", "--intensity", "tracks.eq=25")
        #expect(result.status == 0, "\(result.standardError)")
        let summary = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as! [String: Any]
        let intensity = summary["intensity"] as! [String: [String: Double]]
        #expect(intensity["tracks"] == ["eq": 25, "compression": 0, "saturation": 100, "width": 100, "limiter": 100])
        #expect(intensity["master"] == ["eq": 100, "compression": 0, "saturation": 100, "width": 50, "limiter": 100])
        // Compression off: no track and not the bus reports gain reduction.
        let tracks = summary["tracks"] as! [[String: Any]]
        #expect(tracks.allSatisfy { $0["compressor_gr_max_db"] as? Double == 0 })
        #expect((summary["master"] as! [String: Any])["bus_compressor_gr_max_db"] as? Double == 0)
        for (value, message) in [
            ("compression=150", "PERCENT from 0 to 100"), ("loudness=50", "no such stage"),
            ("master.saturation=50", "the master has no saturation stage"), ("compression", "expected STAGE=PERCENT"),
            ("tracks.limiter=50", "the tracks have no limiter"),
        ] {
            let refused = try CLITests.run("mix", folder.file("stems").path, "--out", folder.file("x.wav").path, "--intensity", value)
            #expect(refused.status == 64, "\(value): \(refused.status)")
            #expect(refused.standardError.contains(message), "\(value): \(refused.standardError)")
        }
    }

    @Test("a folder with a bad stem: exit 2, each bad file named with its reason, nothing written")
    func rejected() throws {
        let folder = try CLITests.sessionWithOneBadFile()
        let out = try TemporaryDirectory()
        let result = try CLITests.run("mix", folder.url.path, "--out", out.file("mix.wav").path)
        #expect(result.status == 2)
        #expect(result.standardError.contains("Dbl L.wav: truncated"))
        #expect(result.standardError.contains("--skip-invalid"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.url.path).isEmpty)
    }

    @Test("--skip-invalid mixes the rest and lists what it skipped")
    func skipInvalid() throws {
        let folder = try CLITests.sessionWithOneBadFile()
        let out = try TemporaryDirectory()
        let result = try CLITests.run("mix", folder.url.path, "--out", out.file("mix.wav").path, "--skip-invalid")
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("skipped Dbl L.wav: truncated"))
        #expect(result.standardOutput.contains("Lead Vox.wav"))
        #expect(FileManager.default.fileExists(atPath: out.file("mix.wav").path))
    }

    @Test(
        "bad options are refused before any work, naming the option and the reason",
        arguments: [
            (["--fps", "5"], "--fps 5: meter frames per second must be 10 to 60"),
            (["--recipe", "smooth"], "--recipe smooth: no such recipe; recipes are balanced, bright, clean, loud, punchy, warm"),
            (["--format", "mp3"], "The value 'mp3' is invalid for '--format <format>'"),
            (["--out", "x/mix.flac"], "a .flac name for wav24 output; use .wav"),
        ])
    func badOptions(arguments: [String], message: String) throws {
        let folder = try Self.session()
        let result = try ProcessRunner.run(CLITests.binary, ["mix", folder.file("stems").path] + arguments)
        #expect(result.status == 64)
        #expect(result.standardError.contains(message), "\(result.standardError)")
    }

    @Test("a recipes file with a bad key is refused, naming the file and the key")
    func badRecipesFile() throws {
        let folder = try Self.session()
        try Data(#"{"balanced": {"target_lufs": -14, "limiter": {"ceiling": -1}}}"#.utf8).write(to: folder.file("recipes.json"))
        let result = try CLITests.run("mix", folder.file("stems").path, "--recipes", folder.file("recipes.json").path)
        #expect(result.status == 64)
        #expect(result.standardError.contains("recipes.json: balanced.limiter: unknown key"), "\(result.standardError)")
    }

    @Test("Ctrl-C stops the mix: exit 130, and nothing is left behind, not even temporary files")
    func interrupted() throws {
        let folder = try TemporaryDirectory()
        let stems = folder.file("stems")
        try FileManager.default.createDirectory(at: stems, withIntermediateDirectories: true)
        let frames = 48_000 * 90
        let tone = SignalGenerator.sine(frequencyHz: 220, sampleRate: 48_000, frameCount: frames, amplitude: 0.3)
        let bed = SignalGenerator.noise(frameCount: frames, amplitude: 0.2, seed: 3)
        try AudioFixture.write([tone], to: stems.appendingPathComponent("Lead Vox.wav"), type: .wav(bits: 16), sampleRate: 48_000)
        try AudioFixture.write([bed, bed], to: stems.appendingPathComponent("Beat.wav"), type: .wav(bits: 16), sampleRate: 48_000)
        let out = folder.file("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLITests.binary)
        process.arguments = ["mix", stems.path, "--out", out.appendingPathComponent("mix.wav").path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Interrupt once the render is under way (the progress lines say so).
        var message = ""
        while !message.contains("processing tracks") {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            message += String(decoding: chunk, as: UTF8.self)
        }
        process.interrupt()
        message += String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(message)")
        #expect(message.contains("cancelled"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty)
    }

    @Test("the mix is never written into the session folder")
    func outputInsideSession() throws {
        let folder = try Self.session()
        let result = try CLITests.run("mix", folder.file("stems").path, "--out", folder.file("stems/mix.wav").path)
        #expect(result.status == 64)
        #expect(result.standardError.contains("would land in the session folder"))
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
