import Foundation
import HTTPTypes
import HummingbirdTesting
import HummingbirdWSClient
import MixServer
import MixTesting
import NIOCore
import NIOWebSocket
import Testing

@Suite("the status WebSocket, live on 127.0.0.1 with a real client")
struct StatusSocketTests {
    static let originalFields = ["job_id", "state", "progress", "message", "error", "visual", "timeline"]
    static let realtimeFields = ["realtime_meters", "realtime_spectra", "realtime_scope"]
    static let path = ["queued", "loading", "processing_tracks", "mixing", "mastering", "exporting", "complete"]

    @Test("a job followed to the end: the original's fields, live meters in its shapes, a few a second, a last message, a normal close")
    func followsAJob() async throws {
        let folder = try TemporaryDirectory()
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            // Three minutes of stems, so that even a fast render sends several messages while its
            // frames come in (one minute once rendered in under half a second: one live frame).
            let (session, token) = try await ServerTest.sessionWithStems(client, seconds: 180)
            let jobID = try await ServerTest.startJob(client, session: session, token: token, body: #"{"fps": 30}"#)
            let started = Date()
            let reading = try await StatusSocketReading.read(port: try #require(client.port), jobID: jobID, token: token)
            let elapsed = Date().timeIntervalSince(started)
            #expect(reading.closeCode == .normalClosure)
            let messages = reading.messages.map(\.json)
            try #require(messages.count >= 3, "\(messages.count) messages in \(elapsed) s")
            for message in messages {
                for key in Self.originalFields + Self.realtimeFields { #expect(message.keys.contains(key), "missing \(key)") }
                #expect(message["job_id"] as? String == jobID)
            }
            // Progress never goes back; states only move forward along the path.
            let progress = try messages.map { try #require($0["progress"] as? Int) }
            #expect(progress == progress.sorted(), "\(progress)")
            let states = try messages.map { message in
                try #require(Self.path.firstIndex(of: message["state"] as? String ?? ""), "state \(message["state"] ?? "none")")
            }
            #expect(states == states.sorted())
            // A few a second: never more than 5 a second, plus the last one.
            #expect(Double(messages.count - 1) <= elapsed * 5 + 1, "\(messages.count) messages in \(elapsed) s")

            // Live meters in the original's shapes, while the job runs.
            let live = messages.dropLast().filter { !($0["realtime_meters"] is NSNull) }
            try #require(!live.isEmpty, "no message carried meters")
            for message in live {
                let meters = try #require(message["realtime_meters"] as? [String: Any])
                let tracks = try #require(meters["tracks"] as? [String: [String: Any]])
                #expect(Set(tracks.keys) == ["Lead Vox.wav", "Beat (prod. x).wav"])
                for track in tracks.values { for key in ["gain_reduction_db", "rms", "peak"] { #expect(track[key] is Double) } }
                let master = try #require(meters["master"] as? [String: Any])
                for key in ["gain_reduction_db", "limiter_gr_db", "rms", "peak"] { #expect(master[key] is Double) }
                let spectra = try #require(message["realtime_spectra"] as? [String: Any])
                #expect(try #require(spectra["tracks"] as? [String: [Double]]).values.allSatisfy { $0.count == 256 })
                #expect((spectra["pre_master"] as? [Double])?.count == 256 && (spectra["post_master"] as? [Double])?.count == 256)
                let scope = try #require(message["realtime_scope"] as? [String: Any])
                #expect((scope["waveform"] as? [Double])?.count == 512 && (scope["phase"] as? [[Double]])?.count == 512)
                #expect(abs(try #require(scope["l_r_correlation"] as? Double)) <= 1)
            }
            // The frames advance through the song as the render does: once as the tracks are
            // processed, once more as the master is written, up to the song's last frame. The
            // newest frame outlives its stage (the tracks' last one is still shown when exporting
            // begins), so the writing pass shows as the one step back to the song's start, taken
            // while the job is exporting.
            let frames = messages.compactMap { message in
                (message["frame"] as? Int).map { (state: message["state"] as? String ?? "", index: $0) }
            }
            let restarts = frames.indices.dropFirst().filter { frames[$0].index < frames[$0 - 1].index }
            #expect(restarts.count <= 1, "\(frames)")
            #expect(restarts.allSatisfy { frames[$0].state == "exporting" }, "\(frames)")
            #expect(Set(frames.map(\.index)).count >= 3, "\(frames)")

            // The last message: complete, the summary as `visual`, the whole timeline.
            let last = try #require(messages.last)
            #expect(last["state"] as? String == "complete" && last["progress"] as? Int == 100)
            let visual = try #require(last["visual"] as? [String: Any])
            #expect(abs(try #require(visual["integrated_lufs"] as? Double) - -14) <= 0.2)
            #expect(visual["ceiling_held"] as? Bool == true)
            let timeline = try #require(last["timeline"] as? [[String: Any]])
            #expect(timeline.map { $0["state"] as? String ?? "" } == Self.path)
            // It shows the song's last frame (180 s at 30 per second: frame 5399), and says when
            // the job changed, to the millisecond.
            #expect(last["frame"] as? Int == 5399)
            let updated = try #require(last["updated_at"] as? String)
            #expect(updated.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(updated)")
            #expect(messages.dropLast().allSatisfy { $0["visual"] is NSNull })
        }
    }

    @Test("a socket opened after the end gets one last message and a normal close")
    func afterTheEnd() async throws {
        let folder = try TemporaryDirectory()
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let (session, token) = try await ServerTest.sessionWithStems(client)
            let jobID = try await ServerTest.startJob(client, session: session, token: token)
            _ = try await ServerTest.waitForJob(client, jobID, token: token)
            let reading = try await StatusSocketReading.read(port: try #require(client.port), jobID: jobID, token: token)
            #expect(reading.closeCode == .normalClosure)
            #expect(reading.messages.count == 1)
            #expect(reading.messages.first?.json["state"] as? String == "complete")
            #expect(reading.messages.first?.json["visual"] is [String: Any])
        }
    }

    @Test("a cancelled job's socket ends with the cancelled state and a normal close")
    func cancelled() async throws {
        let folder = try TemporaryDirectory()
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let (session, token) = try await ServerTest.sessionWithStems(client, seconds: 180)
            let jobID = try await ServerTest.startJob(client, session: session, token: token)
            async let reading = StatusSocketReading.read(port: try #require(client.port), jobID: jobID, token: token)
            try await Task.sleep(for: .milliseconds(300))
            let cancel = try await client.execute(uri: "/api/jobs/\(jobID)/cancel", method: .post, headers: ServerTest.bearer(token))
            #expect(cancel.status == .ok)
            let result = try await reading
            #expect(result.closeCode == .normalClosure)
            #expect(result.messages.last?.json["state"] as? String == "cancelled")
            #expect(result.messages.last?.json["visual"] is NSNull)
        }
    }

    @Test("the socket needs the session's token: none or another's refuses the upgrade; plain HTTP says why")
    func access() async throws {
        let folder = try TemporaryDirectory()
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let (session, token) = try await ServerTest.sessionWithStems(client)
            let (_, otherToken) = try await ServerTest.createSession(client)
            let jobID = try await ServerTest.startJob(client, session: session, token: token)
            let port = try #require(client.port)
            for refused in [nil, otherToken, "not-a-token"] {
                await #expect(throws: WebSocketClientError.webSocketUpgradeFailed) {
                    _ = try await StatusSocketReading.read(port: port, jobID: jobID, token: refused)
                }
            }
            await #expect(throws: WebSocketClientError.webSocketUpgradeFailed) {
                _ = try await StatusSocketReading.read(port: port, jobID: "no-such-job", token: token)
            }
            let plain = try await client.execute(uri: "/ws/mix/status/\(jobID)?token=\(token)", method: .get)
            #expect(plain.status == .upgradeRequired)
            #expect((try ServerTest.json(plain)["error"] as! [String: Any])["code"] as? String == "upgrade_required")
            #expect(try await client.execute(uri: "/ws/mix/status/\(jobID)", method: .get).status == .unauthorized)
            _ = try await ServerTest.waitForJob(client, jobID, token: token)
        }
    }
}
