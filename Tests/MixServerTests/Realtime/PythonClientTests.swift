import Foundation
import MixServer
import MixTesting
import Testing

/// Whether Python's `websockets` package is here (`./scripts/test` installs it).
enum PythonWebSockets {
    static let isAvailable: Bool = {
        guard let result = try? ProcessRunner.run("/usr/bin/env", ["python3", "-c", "import websockets.asyncio.client"]) else { return false }
        return result.status == 0
    }()
    static let absentMessage = "Python's websockets package is not installed: ./scripts/test installs it (pip install websockets)"
    static let script = Corpus.repositoryRoot.appendingPathComponent("Tests/MixServerTests/Python/realtime_probe.py").path

    /// Runs the probe on a thread of its own (the server under test shares the cooperative threads).
    static func probe(_ arguments: [String]) async throws -> [String: Any] {
        let result = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try ProcessRunner.run("/usr/bin/env", ["python3", script] + arguments) })
            }
        }
        try #require(result.status == 0, "the probe failed: \(result.standardError)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    }
}

@Suite(
    "the sockets seen by a non-Swift client (Python's websockets)",
    .enabled(if: PythonWebSockets.isAvailable, Comment(rawValue: PythonWebSockets.absentMessage)))
struct PythonClientTests {
    @Test("refusals come as JSON with the right status for both sockets; a replay reads as a browser reads it, and a pause is acknowledged")
    func pythonClient() async throws {
        let folder = try TemporaryDirectory()
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let port = try #require(client.port)
            let (_, token, job) = try await RealtimeSocketTests.completeJob(client, seconds: 4, fps: 30)
            let (_, other) = try await ServerTest.createSession(client)
            let result = try await PythonWebSockets.probe([String(port), job, token, other])
            func refusal(_ key: String) -> (Int?, String?) {
                let value = result[key] as? [String: Any]
                return (value?["status"] as? Int, value?["field"] as? String)
            }
            #expect(refusal("realtime_no_token").0 == 401 && refusal("status_no_token").0 == 401)
            #expect(refusal("realtime_other_token").0 == 404 && refusal("status_other_token").0 == 404)
            #expect(refusal("realtime_bad_fps") == (400, "fps"))
            #expect(refusal("realtime_bad_channels") == (400, "channels"))
            let replay = try #require(result["replay"] as? [String: Any])
            #expect(replay["mode"] as? String == "replay" && replay["magic"] as? String == "MXRT" && replay["version"] as? Int == 1)
            #expect((replay["frames"] as? Int ?? 0) >= 20)
            #expect(replay["aligned"] as? Bool == true && replay["meters_ok"] as? Bool == true && replay["correlation_ok"] as? Bool == true)
            let playback = try #require(replay["playback"] as? [String: Any])
            #expect(playback["playing"] as? Bool == false && playback["position_s"] as? Double == 1)
        }
    }
}
