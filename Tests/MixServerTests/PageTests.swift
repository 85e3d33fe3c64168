import Foundation
import MixEngine
import MixServer
import MixTesting
import Testing

/// Whether headless Chromium, its driver and selenium are here (`./scripts/test` installs them).
enum Browser {
    static let isAvailable: Bool = {
        let manager = FileManager.default
        guard manager.isExecutableFile(atPath: "/usr/bin/chromium"), manager.isExecutableFile(atPath: "/usr/bin/chromedriver"),
            let result = try? ProcessRunner.run("/usr/bin/env", ["python3", "-c", "import selenium"])
        else { return false }
        return result.status == 0
    }()
    static let absentMessage =
        "Chromium, chromium-driver or selenium is not installed: ./scripts/test installs them (apt chromium chromium-driver, pip selenium)"
    static let script = Corpus.repositoryRoot.appendingPathComponent("Tests/MixServerTests/Python/page_flow.py").path
}

@Suite("the web page in a real browser (headless Chromium, selenium)", .enabled(if: Browser.isAvailable, Comment(rawValue: Browser.absentMessage)))
struct PageTests {
    @Test("drop stems and a bad file, change a role, start, watch the meters move, play in step, seek, pause, download, reload")
    func wholeFlow() async throws {
        let folder = try TemporaryDirectory()
        let stems = folder.url.appendingPathComponent("stems")
        try FileManager.default.createDirectory(at: stems, withIntermediateDirectories: true)
        _ = try DemoSession.write(to: stems)
        let bad = folder.file("Notes.wav")
        try Data("these are my notes for the mix, not audio\n".utf8).write(to: bad)
        // Screenshots go to a folder of their own under /tmp, kept for a person to look at.
        let shots = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("mixdown-page-shots")
        try FileManager.default.createDirectory(at: shots, withIntermediateDirectories: true)

        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let port = try #require(client.port)
            let run = try await offPool {
                try ProcessRunner.run("/usr/bin/env", ["python3", Browser.script, "http://127.0.0.1:\(port)", stems.path, bad.path, shots.path])
            }
            let output = try #require(
                try? JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any],
                "the page flow printed no result: \(run.standardError.suffix(3000))")
            let steps = output["steps"] as? [String] ?? []
            #expect(run.status == 0, "the page flow stopped after \(steps): \(run.standardError.suffix(3000))")
            #expect(steps.last == "reloaded", "\(steps)")

            // Stems in, a bad one among them named with its reason.
            let message = output["bad_file_message"] as? String ?? ""
            #expect(message.contains("Notes.wav") && message.contains("not an audio file"), "\(message)")
            #expect((output["recipes"] as? [String])?.allSatisfy { $0.contains("LUFS") && $0.contains("dBTP") } == true)
            // The meters move while it renders.
            let changed = output["live_changed"] as? [String: Bool] ?? [:]
            #expect(changed["meters"] == true && changed["spectrum"] == true && changed["scope"] == true, "\(changed)")
            // The report, and the meters in step with playback, after a seek and when paused.
            #expect((output["report_rows"] as? Int ?? 0) >= 5)
            #expect((output["report_text"] as? String)?.contains("Limiter GR") == true)
            #expect((output["frames_drawn_while_playing"] as? Int ?? 0) >= 20, "\(output["frames_drawn_while_playing"] ?? "none")")
            // The frame on screen is the one the player is in when it is painted: the player's time
            // is at or after the frame's start, by less than a frame (30 a second).
            let period = 1.0 / 30
            let inFrame = { (offset: Double) in offset >= -0.002 && offset < period }
            let playing = output["playing_offsets"] as? [Double] ?? []
            #expect(!playing.isEmpty && playing.allSatisfy(inFrame), "\(playing)")
            let afterSeek = (output["after_seek"] as? [[Double]] ?? []).map { (frame: $0[0], audio: $0[1]) }
            #expect(!afterSeek.isEmpty && afterSeek.allSatisfy { $0.frame >= 10 - period && inFrame($0.audio - $0.frame) }, "\(afterSeek)")
            let paused = output["paused"] as? [String: Any] ?? [:]
            #expect(paused["still"] as? Bool == true && paused["paused"] as? Bool == true)
            #expect(inFrame(paused["offset"] as? Double ?? 1), "\(paused)")
            // Downloads.
            #expect(output["download_equal"] as? Bool == true)
            #expect(output["download-frames"] as? Int == 200 && output["download-summary"] as? Int == 200)
            // Keyboard, contrast, both sizes, a reload.
            let reached = Set(output["tab_reached"] as? [String] ?? [])
            #expect(reached.isSuperset(of: ["stem-input", "recipe", "start", "download-mix"]), "\(reached)")
            #expect(output["focus_without_outline"] == nil, "\(output["focus_without_outline"] ?? "")")
            #expect((output["contrast"] as? Double ?? 0) >= 4.5, "\(output["contrast"] ?? "none")")
            #expect(output["desktop_overflow"] as? Int ?? 1 <= 0 && output["phone_overflow"] as? Int ?? 1 <= 0)
            let reload = output["reload"] as? [String: Bool] ?? [:]
            #expect(reload["same_session"] == true && reload["job"] == true)
            // Nothing went wrong on the page or in its console.
            #expect((output["errors"] as? [String])?.isEmpty == true, "\(output["errors"] ?? "")")
            #expect((output["console"] as? [String])?.isEmpty == true, "\(output["console"] ?? "")")
        }
    }
}
