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
    static let binary = ProcessRunner.mixdownBinary

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

    /// A blocking request: it never waits on Swift's cooperative pool, which other tests may
    /// keep busy, so the timing of what it observes is the server's.
    static func request(
        _ base: URL, _ path: String, method: String = "GET", token: String? = nil, body: Data? = nil
    ) throws -> (Int, [String: Any]) {
        var request = URLRequest(url: URL(string: path, relativeTo: base)!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        request.httpBody = body
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Int, [String: Any])?
        URLSession.shared.dataTask(with: request) { data, response, _ in
            let json = data.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
            result = ((response as? HTTPURLResponse)?.statusCode ?? 0, json)
            done.signal()
        }.resume()
        done.wait()
        return result!
    }

    @Test("a job cut off by a crash is failed with a reason at the next start, never left running")
    func killedMidJob() throws {
        let folder = try TemporaryDirectory()
        let data = folder.url.appendingPathComponent("data")
        var (server, base) = try Self.startServer(data: data)
        defer { if server.isRunning { server.terminate() } }
        let (_, session) = try Self.request(base, "/api/sessions", method: "POST")
        let (id, token) = (session["session_id"] as! String, session["token"] as! String)
        // Six minutes of audio: long enough to be caught mid-render, even on a loaded machine.
        let frames = 48_000 * 360
        let tone = SignalGenerator.sine(frequencyHz: 220, sampleRate: 48_000, frameCount: frames, amplitude: 0.3)
        let stem = folder.file("lead.wav")
        try AudioFixture.write([tone], to: stem, type: .wav(bits: 16), sampleRate: 48_000)
        let (uploaded, _) = try Self.request(
            base, "/api/sessions/\(id)/stems?name=Lead.wav", method: "PUT", token: token, body: try Data(contentsOf: stem))
        #expect(uploaded == 201)
        let (_, job) = try Self.request(base, "/api/sessions/\(id)/jobs", method: "POST", token: token)
        let jobID = try #require(job["job_id"] as? String)
        var state = ""
        // Killed as soon as a worker has it (any running state).
        for _ in 0..<2000 where !["loading", "processing_tracks", "mixing", "mastering", "exporting", "complete"].contains(state) {
            Thread.sleep(forTimeInterval: 0.01)
            state = (try Self.request(base, "/api/jobs/\(jobID)", token: token)).1["state"] as? String ?? ""
        }
        #expect(state != "complete", "the render finished before it could be killed")
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()

        (server, base) = try Self.startServer(data: data)
        let (_, status) = try Self.request(base, "/api/jobs/\(jobID)", token: token)
        #expect(status["state"] as? String == "failed")
        #expect((status["error"] as? String)?.contains("the service stopped while this job was") == true)
        let (_, timeline) = try Self.request(base, "/api/jobs/\(jobID)/timeline", token: token)
        #expect(((timeline["events"] as? [[String: Any]])?.last?["state"] as? String) == "failed")
        // The session and its stem are still there.
        let (_, stems) = try Self.request(base, "/api/sessions/\(id)/stems", token: token)
        #expect((stems["stems"] as? [Any])?.count == 1)
        server.terminate()
        server.waitUntilExit()
    }
}
