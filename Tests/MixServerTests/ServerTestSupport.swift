import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MixAnalysis
import MixEngine
import MixServer
import MixTesting
import NIOCore
import Testing

/// Helpers for tests against the real server on 127.0.0.1 (`.live`).
enum ServerTest {
    /// A WAV file's bytes, synthesized.
    static func wav(_ channels: [[Float]], bits: Int = 16, rate: Int = 48_000) throws -> ByteBuffer {
        let folder = try TemporaryDirectory()
        let url = folder.file("stem.wav")
        try AudioFixture.write(channels, to: url, type: .wav(bits: bits), sampleRate: rate)
        return ByteBuffer(bytes: try Data(contentsOf: url))
    }

    /// A lead (a tone with an envelope) and a beat (noise and a kick), 4 s unless asked.
    static func stems(seconds: Int = 4) throws -> [(name: String, body: ByteBuffer)] {
        let frames = 48_000 * seconds
        let lead = (0..<frames).map { i -> Float in
            let t = Double(i) / 48_000
            return Float((0.5 + 0.5 * sin(2 * Double.pi * 1.5 * t)) * 0.3 * sin(2 * Double.pi * 220 * t))
        }
        let noise = SignalGenerator.noise(frameCount: frames, amplitude: 0.2, seed: 4)
        let beat = (0..<frames).map { i -> Float in
            let t = Double(i % 24_000) / 48_000
            return Float(0.8 * exp(-t * 30) * sin(2 * Double.pi * 55 * t)) + noise[i] * 0.3
        }
        return [("Lead Vox.wav", try wav([lead])), ("Beat (prod. x).wav", try wav([beat, beat]))]
    }

    static func json(_ response: LiveResponse) throws -> [String: Any] {
        let data = Data(Array(response.body.readableBytesView))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(String(decoding: data, as: UTF8.self))")
    }

    /// A request as a route sees it, for checks that need no server.
    static func request(_ path: String) -> Request {
        Request(head: HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: path), body: .init(buffer: ByteBuffer()))
    }

    static func bearer(_ token: String) -> HTTPFields {
        [.authorization: "Bearer \(token)"]
    }

    /// A service on `folder`: two workers, and a short grace (a test that ends with a job still
    /// rendering should not wait half a minute for it).
    static func configuration(_ folder: TemporaryDirectory, maxUploadBytes: Int = 64 << 20) -> ServerConfiguration {
        ServerConfiguration(
            dataDirectory: folder.url.appendingPathComponent("data"), workers: 2, maxUploadBytes: maxUploadBytes,
            shutdownGrace: .seconds(2))
    }

    /// Creates a session; returns its id and token.
    static func createSession(_ client: LiveClient) async throws -> (id: String, token: String) {
        let response = try await client.execute(uri: "/api/sessions", method: .post)
        #expect(response.status == .created)
        let body = try json(response)
        return (body["session_id"] as! String, body["token"] as! String)
    }

    /// Creates a session and uploads the synthesized stems to it; returns its id and token.
    static func sessionWithStems(_ client: LiveClient, seconds: Int = 4) async throws -> (id: String, token: String) {
        let (session, token) = try await createSession(client)
        for stem in try stems(seconds: seconds) {
            let name = stem.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let response = try await client.execute(
                uri: "/api/sessions/\(session)/stems?name=\(name)", method: .put, headers: bearer(token), body: stem.body)
            #expect(response.status == .created)
        }
        return (session, token)
    }

    /// Starts a mix job; returns its id.
    static func startJob(_ client: LiveClient, session: String, token: String, body: String = "{}") async throws -> String {
        let response = try await client.execute(
            uri: "/api/sessions/\(session)/jobs", method: .post, headers: bearer(token), body: ByteBuffer(string: body))
        #expect(response.status == .accepted)
        return try json(response)["job_id"] as! String
    }

    /// Polls a job until it ends; returns its final status.
    static func waitForJob(_ client: LiveClient, _ jobID: String, token: String) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let status = try json(try await client.execute(uri: "/api/jobs/\(jobID)", method: .get, headers: bearer(token)))
            if ["complete", "failed", "cancelled"].contains(status["state"] as? String) { return status }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("job \(jobID) did not end in 60 s")
        return [:]
    }
}
