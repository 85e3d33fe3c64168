import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MixEngine
import MixTesting
import Testing

/// The real `mixdown serve` binary on a free port of 127.0.0.1, for what only a real process
/// shows: a crash, a signal, an exit.
struct BinaryServer {
    let process: Process
    let base: URL
    var port: Int { base.port ?? 0 }

    /// Starts `mixdown serve --port 0 --data DATA` with `arguments`; returns once it listens.
    static func start(data: URL, arguments: [String] = ["--workers", "1"]) throws -> BinaryServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessRunner.mixdownBinary)
        process.arguments = ["serve", "--port", "0", "--data", data.path] + arguments
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
        return BinaryServer(process: process, base: try #require(URL(string: String(address))))
    }

    /// A blocking request: it never waits on Swift's cooperative pool, which other tests may
    /// keep busy, so the timing of what it observes is the server's.
    func request(_ path: String, method: String = "GET", token: String? = nil, body: Data? = nil) throws -> (Int, [String: Any]) {
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

    /// A session with one stem of `seconds` of a 220 Hz tone; its id and token.
    func sessionWithTone(seconds: Int, folder: TemporaryDirectory) throws -> (id: String, token: String) {
        let (_, session) = try request("/api/sessions", method: "POST")
        let (id, token) = (session["session_id"] as! String, session["token"] as! String)
        let tone = SignalGenerator.sine(frequencyHz: 220, sampleRate: 48_000, frameCount: 48_000 * seconds, amplitude: 0.3)
        let stem = folder.file("lead-\(seconds).wav")
        try AudioFixture.write([tone], to: stem, type: .wav(bits: 16), sampleRate: 48_000)
        let (uploaded, _) = try request("/api/sessions/\(id)/stems?name=Lead.wav", method: "PUT", token: token, body: try Data(contentsOf: stem))
        #expect(uploaded == 201)
        return (id, token)
    }

    /// Starts a job; its id.
    func startJob(_ session: (id: String, token: String), body: String = "{}") throws -> String {
        let (status, job) = try request("/api/sessions/\(session.id)/jobs", method: "POST", token: session.token, body: Data(body.utf8))
        #expect(status == 202)
        return try #require(job["job_id"] as? String)
    }

    /// The job's state, polled until `done` says so (at most `timeout`).
    @discardableResult
    func waitForJob(_ jobID: String, token: String, timeout: TimeInterval = 120, until done: (String) -> Bool) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let (_, job) = try request("/api/jobs/\(jobID)", token: token)
            if done(job["state"] as? String ?? "") { return job }
            Thread.sleep(forTimeInterval: 0.01)
        }
        Issue.record("job \(jobID) did not get there in \(timeout) s")
        return [:]
    }

    /// Sends SIGTERM and waits for the process to exit; how long it took.
    func terminate() -> TimeInterval {
        let started = Date()
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        return Date().timeIntervalSince(started)
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    static let runningStates: Set<String> = ["loading", "processing_tracks", "mixing", "mastering", "exporting"]
}
