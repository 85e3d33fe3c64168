import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MixEngine
import MixTesting
import Testing

/// The real binary, killed mid-job and started again on the same data folder.
@Suite("crash recovery (the mixdown binary, killed)")
struct CrashRecoveryTests {
    static let binary: String = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mixdown")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside.path }
        return Corpus.repositoryRoot.appendingPathComponent(".build/debug/mixdown").path
    }()

    /// Starts `mixdown serve` on a free port; returns the process and its base URL.
    static func startServer(data: URL) throws -> (Process, URL) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--port", "0", "--data", data.path, "--workers", "1"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        while !text.contains("listening on http://") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let address = try #require(text.split(separator: " ").first { $0.hasPrefix("http://") })
        return (process, try #require(URL(string: String(address))))
    }

    static func request(
        _ base: URL, _ path: String, method: String = "GET", token: String? = nil, body: Data? = nil
    ) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: URL(string: path, relativeTo: base)!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        let json = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        return ((response as! HTTPURLResponse).statusCode, json)
    }

    @Test("a job cut off by a crash is failed with a reason at the next start, never left running")
    func killedMidJob() async throws {
        let folder = try TemporaryDirectory()
        let data = folder.url.appendingPathComponent("data")
        var (server, base) = try Self.startServer(data: data)
        defer { if server.isRunning { server.terminate() } }
        let (_, session) = try await Self.request(base, "/api/sessions", method: "POST")
        let (id, token) = (session["session_id"] as! String, session["token"] as! String)
        // Three minutes of audio: long enough to be caught mid-render.
        let frames = 48_000 * 180
        let tone = SignalGenerator.sine(frequencyHz: 220, sampleRate: 48_000, frameCount: frames, amplitude: 0.3)
        let stem = folder.file("lead.wav")
        try AudioFixture.write([tone], to: stem, type: .wav(bits: 16), sampleRate: 48_000)
        let (uploaded, _) = try await Self.request(
            base, "/api/sessions/\(id)/stems?name=Lead.wav", method: "PUT", token: token, body: try Data(contentsOf: stem))
        #expect(uploaded == 201)
        let (_, job) = try await Self.request(base, "/api/sessions/\(id)/jobs", method: "POST", token: token)
        let jobID = try #require(job["job_id"] as? String)
        var state = ""
        for _ in 0..<400 where !["processing_tracks", "mixing", "mastering", "exporting", "complete"].contains(state) {
            try await Task.sleep(for: .milliseconds(10))
            state = (try await Self.request(base, "/api/jobs/\(jobID)", token: token)).1["state"] as? String ?? ""
        }
        #expect(state != "complete", "the render finished before it could be killed")
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()

        (server, base) = try Self.startServer(data: data)
        let (_, status) = try await Self.request(base, "/api/jobs/\(jobID)", token: token)
        #expect(status["state"] as? String == "failed")
        #expect((status["error"] as? String)?.contains("the service stopped while this job was") == true)
        let (_, timeline) = try await Self.request(base, "/api/jobs/\(jobID)/timeline", token: token)
        #expect(((timeline["events"] as? [[String: Any]])?.last?["state"] as? String) == "failed")
        // The session and its stem are still there.
        let (_, stems) = try await Self.request(base, "/api/sessions/\(id)/stems", token: token)
        #expect((stems["stems"] as? [Any])?.count == 1)
        server.terminate()
        server.waitUntilExit()
    }
}
