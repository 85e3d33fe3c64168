import Foundation
import HTTPTypes
import MixServer
import MixTesting
import NIOCore
import NIOWebSocket
import Testing

@Suite("the realtime WebSocket, live on 127.0.0.1 with a real client")
struct RealtimeSocketTests {
    /// A session mixed to completion; its ids.
    static func completeJob(_ client: LiveClient, seconds: Int, fps: Int) async throws -> (session: String, token: String, job: String) {
        let (session, token) = try await ServerTest.sessionWithStems(client, seconds: seconds)
        let job = try await ServerTest.startJob(client, session: session, token: token, body: #"{"fps": \#(fps)}"#)
        let status = try await ServerTest.waitForJob(client, job, token: token)
        try #require(status["state"] as? String == "complete", "\(status)")
        return (session, token, job)
    }

    @Test("after the end: a replay description, then frames from `from` in audio time, each message of the layout it describes")
    func replayFromTheEnd() async throws {
        let folder = try TemporaryDirectory()
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let port = try #require(client.port)
            let (_, token, job) = try await Self.completeJob(client, seconds: 6, fps: 30)
            let recording = try await RealtimeSocketClient.session(port: port, jobID: job, token: token, query: "fps=30&from=2") { stream in
                try await stream.recording.wait(for: "frames past 3 s") { ($0.frames.last?.mediaTimeS ?? 0) >= 3 }
            }
            let description = try #require(recording.texts.first { $0.type == "stream" }?.json)
            #expect(description["mode"] as? String == "replay" && description["playing"] as? Bool == true)
            #expect(description["frames_per_second"] as? Int == 30 && description["fps"] as? Int == 30)
            #expect((description["tracks"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Lead Vox.wav", "Beat (prod. x).wav"])
            #expect((description["band_centers_hz"] as? [Double])?.count == 256)
            let binary = try #require(description["binary"] as? [String: Any])
            let frames = recording.frames
            let first = try #require(frames.first)
            #expect(abs(first.mediaTimeS - 2) < 0.1, "the replay starts at from=2 (\(first.mediaTimeS))")
            for frame in frames {
                #expect(frame.isReplay && frame.isComplete && frame.byteCount == binary["message_bytes"] as? Int)
                #expect(frame.channels == 15)
            }
            // Frames follow one another in the song, none twice.
            #expect(zip(frames, frames.dropFirst()).allSatisfy { $1.index > $0.index })
        }
    }

    @Test("play, pause and seek steer the replay: the frames' media times follow, and each control is acknowledged")
    func controls() async throws {
        let folder = try TemporaryDirectory()
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let port = try #require(client.port)
            let (_, token, job) = try await Self.completeJob(client, seconds: 12, fps: 30)
            let recording = try await RealtimeSocketClient.session(port: port, jobID: job, token: token, query: "fps=30") { stream in
                let r = stream.recording
                try await r.wait(for: "a few frames") { $0.frames.count >= 5 }
                try await stream.send(#"{"pause": 5}"#)
                try await r.wait(for: "the pause") { $0.texts.contains { $0.type == "playback" } }
                try await r.wait(for: "the frame at 5 s") { $0.frames.last?.index == 150 }
                let paused = r.frames.count
                try await Task.sleep(for: .milliseconds(600))
                #expect(r.frames.count == paused, "a paused replay sends nothing new")
                try await stream.send(#"{"seek": 8}"#)
                try await r.wait(for: "the frame at 8 s") { $0.frames.last?.index == 240 }
                try await Task.sleep(for: .milliseconds(300))
                #expect(r.frames.last?.index == 240, "a seek while paused shows one frame and stays")
                try await stream.send(#"{"play": 8}"#)
                try await r.wait(for: "playing from 8 s") { ($0.frames.last?.mediaTimeS ?? 0) >= 8.5 }
                try await stream.send(#"{"seek": 2}"#)
                try await r.wait(for: "playing from 2 s") { frames in
                    guard let last = frames.frames.last else { return false }
                    return last.mediaTimeS >= 2.3 && last.mediaTimeS < 4
                }
                try await stream.send(#"{"stop": 1}"#)
                try await stream.send("not json")
                try await r.wait(for: "two errors") { $0.texts.filter { $0.type == "error" }.count == 2 }
                let count = r.frames.count
                try await r.wait(for: "frames after the errors") { $0.frames.count > count + 3 }
            }
            let playback = recording.texts.filter { $0.type == "playback" }.map { ($0.json["playing"] as? Bool, $0.json["position_s"] as? Double) }
            #expect(playback.count == 4)
            #expect(playback.first?.0 == false && playback.first?.1 == 5)
            #expect(playback[2].0 == true)
            let errors = recording.texts.filter { $0.type == "error" }
            #expect(errors.allSatisfy { ($0.json["error"] as? [String: Any])?["code"] as? String == "bad_control" })
            #expect(recording.closeCode == .normalClosure)
        }
    }

    @Test("a client joining mid-render gets the live frames (at most fps a second), the job's states, then the replay, paused")
    func joinMidRender() async throws {
        let folder = try TemporaryDirectory()
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let port = try #require(client.port)
            let (session, token) = try await ServerTest.sessionWithStems(client, seconds: 150)
            let job = try await ServerTest.startJob(client, session: session, token: token, body: #"{"fps": 30}"#)
            let started = RealtimeRecording.nowMs
            let recording = try await RealtimeSocketClient.session(port: port, jobID: job, token: token, query: "fps=20") { stream in
                try await stream.recording.wait(for: "the replay", timeout: .seconds(120)) { r in
                    r.texts.contains { $0.type == "stream" && $0.json["mode"] as? String == "replay" } && r.frames.last?.isReplay == true
                }
            }
            let live = recording.frames.filter { !$0.isReplay }
            try #require(live.count >= 3, "\(live.count) live frames")
            let spanS = (live.last!.sentAtMs - live.first!.sentAtMs) / 1000
            #expect(Double(live.count - 1) <= spanS * 20 * 1.05 + 1, "at most 20 a second: \(live.count) in \(spanS) s")
            // The stream fast-forwards: the song moves faster than the wall clock.
            #expect(live.map(\.index).max()! > 30 * 10, "\(live.map(\.index))")
            let states = recording.texts.filter { $0.type == "job" }.compactMap { $0.json["state"] as? String }
            #expect(states.last == "complete" && states.contains("exporting"), "\(states)")
            let modes = recording.texts.filter { $0.type == "stream" }.compactMap { $0.json["mode"] as? String }
            #expect(modes == ["live", "replay"])
            let replay = try #require(recording.texts.last { $0.type == "stream" }?.json)
            #expect(replay["playing"] as? Bool == false && replay["position_s"] as? Double == 0)
            #expect(recording.frames.last?.index == 0, "the replay shows where it stands, paused")
            #expect(started > 0)
        }
    }

    @Test("only the channels asked for arrive, binary and JSON; the JSON frame has the original's shapes")
    func channels() async throws {
        let folder = try TemporaryDirectory()
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let port = try #require(client.port)
            let (_, token, job) = try await Self.completeJob(client, seconds: 4, fps: 30)
            let binary = try await RealtimeSocketClient.session(port: port, jobID: job, token: token, query: "channels=meters,loudness") {
                try await $0.recording.wait(for: "frames") { $0.frames.count >= 5 }
            }
            let sections = try #require((binary.texts.first { $0.type == "stream" }?.json["binary"] as? [String: Any])?["sections"] as? [String: Any])
            #expect(Set(sections.keys) == ["meters", "loudness"])
            #expect(binary.frames.allSatisfy { $0.channels == 3 && $0.byteCount == 40 + 32 + 16 })
            let json = try await RealtimeSocketClient.session(port: port, jobID: job, token: token, query: "channels=scope,meters&encoding=json") {
                try await $0.recording.wait(for: "frames") { $0.jsonFrames.count >= 5 }
            }
            #expect(json.frames.isEmpty)
            for frame in json.jsonFrames {
                let keys = Set(frame.json.keys)
                #expect(keys.isSuperset(of: ["type", "seq", "sent_at_ms", "frame", "time_s", "complete", "replay", "realtime_meters", "realtime_scope"]))
                #expect(!keys.contains("realtime_spectra") && !keys.contains("realtime_loudness"))
                let scope = try #require(frame.json["realtime_scope"] as? [String: Any])
                #expect((scope["waveform"] as? [Double])?.count == 512 && (scope["phase"] as? [[Double]])?.count == 512)
                let tracks = try #require((frame.json["realtime_meters"] as? [String: Any])?["tracks"] as? [String: Any])
                #expect(Set(tracks.keys) == ["Lead Vox.wav", "Beat (prod. x).wav"])
            }
        }
    }

    @Test("refused before the upgrade with the JSON error: no token 401, another session's or no job 404, a bad parameter 400 naming it; plain HTTP 426")
    func refusals() async throws {
        let folder = try TemporaryDirectory()
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let port = try #require(client.port)
            let (_, token, job) = try await Self.completeJob(client, seconds: 2, fps: 30)
            let (_, otherToken) = try await ServerTest.createSession(client)
            let cases: [(query: String, job: String, status: Int, field: String?)] = [
                ("", job, 401, nil), ("token=\(otherToken)", job, 404, nil), ("token=\(token)", "nosuchjob", 404, nil),
                ("token=\(token)&fps=5", job, 400, "fps"), ("token=\(token)&channels=meters,x", job, 400, "channels"),
                ("token=\(token)&encoding=msgpack", job, 400, "encoding"), ("token=\(token)&from=-2", job, 400, "from"),
            ]
            for check in cases {
                let answer = try await UpgradeProbe.upgrade(port: port, path: "/ws/mix/realtime/\(check.job)?\(check.query)")
                #expect(answer.status == check.status, "\(check.query): \(answer.status) \(answer.body)")
                let error = try #require((try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])?["error"] as? [String: Any])
                #expect(error["field"] as? String == check.field, "\(check.query): \(answer.body)")
            }
            let statusSocket = try await UpgradeProbe.upgrade(port: port, path: "/ws/mix/status/\(job)")
            #expect(statusSocket.status == 401 && statusSocket.body.contains("unauthorized"))
            let plain = try await client.execute(uri: "/ws/mix/realtime/\(job)?token=\(token)", method: .get)
            #expect(plain.status == .upgradeRequired)
        }
    }

    @Test("a job that ends without a mix: its state, then a normal close")
    func cancelledJob() async throws {
        let folder = try TemporaryDirectory()
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let port = try #require(client.port)
            // Long enough that the cancel always finds it rendering or waiting, never complete.
            let (session, token) = try await ServerTest.sessionWithStems(client, seconds: 180)
            let job = try await ServerTest.startJob(client, session: session, token: token)
            let cancel = try await client.execute(uri: "/api/jobs/\(job)/cancel", method: .post, headers: ServerTest.bearer(token))
            try #require(cancel.status == .ok)
            _ = try await ServerTest.waitForJob(client, job, token: token)
            let recording = try await RealtimeSocketClient.session(port: port, jobID: job, token: token) { stream in
                try await stream.recording.wait(for: "the close") { $0.texts.contains { $0.type == "job" } }
                try await Task.sleep(for: .seconds(1))
            }
            #expect(recording.texts.map(\.type) == ["job"])
            #expect(recording.texts.first?.json["state"] as? String == "cancelled")
            #expect(recording.frames.isEmpty && recording.closeCode == .normalClosure)
        }
    }
}

/// A WebSocket upgrade over a raw socket, as curl or any client sends it: the status and body of
/// the answer when the upgrade is refused.
enum UpgradeProbe {
    static func upgrade(port: Int, path: String) async throws -> (status: Int, body: String) {
        let request = """
            GET \(path) HTTP/1.1\r
            Host: 127.0.0.1:\(port)\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Version: 13\r
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            \r

            """
        let answer = try await RawHTTP.exchange(port: port, request: Array(request.utf8))
        let text = String(decoding: answer, as: UTF8.self)
        let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
        let body = text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        return (status, body)
    }
}

/// One request on a fresh TCP connection; everything the server sends until it closes (or 5 s).
/// The socket calls block, so they run on a thread of their own: the server under test shares
/// this process's cooperative threads.
enum RawHTTP {
    static func exchange(port: Int, request: [UInt8], timeoutS: Int = 5) async throws -> [UInt8] {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try blockingExchange(port: port, request: request, timeoutS: timeoutS) })
            }
        }
    }

    private static func blockingExchange(port: Int, request: [UInt8], timeoutS: Int) throws -> [UInt8] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var timeout = timeval(tv_sec: timeoutS, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            answer += buffer[0..<count]
        }
        return answer
    }
}
