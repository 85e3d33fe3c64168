import Foundation
import HTTPTypes
import HummingbirdTesting
import MixAnalysis
import MixEngine
@testable import MixServer
import MixTesting
import NIOCore
import NIOWebSocket
import Testing

@Suite("the service, live on 127.0.0.1")
struct ServiceFlowTests {
    @Test("the whole flow: session, uploads, roles, a mix job watched on its socket to complete, its timeline, the mix on target, Range")
    func wholeFlow() async throws {
        let folder = try TemporaryDirectory()
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let (session, token) = try await ServerTest.createSession(client)
            let auth = ServerTest.bearer(token)
            for stem in try ServerTest.stems() {
                let name = stem.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let response = try await client.execute(
                    uri: "/api/sessions/\(session)/stems?name=\(name)", method: .put, headers: auth, body: stem.body)
                #expect(response.status == .created)
                let body = try ServerTest.json(response)
                #expect(body["name"] as? String == stem.name)
                #expect(body["format"] as? String == "WAV 16-bit PCM" && body["sample_rate"] as? Int == 48_000)
                #expect(abs((body["duration_s"] as? Double ?? 0) - 4) < 0.001)
                for key in ["stem_id", "role", "role_guessed", "channels", "peak_dbfs", "loudness_lufs"] {
                    #expect(body[key] != nil, "missing \(key)")
                }
            }
            let stems = try ServerTest.json(try await client.execute(uri: "/api/sessions/\(session)/stems", method: .get, headers: auth))
            let roles = (stems["stems"] as! [[String: Any]]).map { $0["role"] as! String }
            #expect(roles == ["lead", "beat"])

            let created = try await client.execute(
                uri: "/api/sessions/\(session)/jobs", method: .post, headers: auth,
                body: ByteBuffer(string: #"{"recipe": "balanced", "fps": 20}"#))
            #expect(created.status == .accepted)
            let jobID = try ServerTest.json(created)["job_id"] as! String
            // Watched on its status socket to the end.
            let socket = try await StatusSocketReading.read(port: try #require(client.port), jobID: jobID, token: token)
            #expect(socket.closeCode == .normalClosure)
            #expect(socket.messages.last?.json["state"] as? String == "complete")
            let status = try ServerTest.json(try await client.execute(uri: "/api/jobs/\(jobID)", method: .get, headers: auth))
            #expect(status["state"] as? String == "complete", "\(status)")
            #expect(status["progress"] as? Int == 100 && status["session_id"] as? String == session)
            for key in ["job_id", "message", "error", "created_at", "updated_at"] { #expect(status[key] != nil, "missing \(key)") }

            let timeline = try ServerTest.json(try await client.execute(uri: "/api/jobs/\(jobID)/timeline", method: .get, headers: auth))
            let states = (timeline["events"] as! [[String: Any]]).map { $0["state"] as! String }
            #expect(states == ["queued", "loading", "processing_tracks", "mixing", "mastering", "exporting", "complete"])

            let mix = try await client.execute(uri: "/api/jobs/\(jobID)/mix", method: .get, headers: auth)
            #expect(mix.status == .ok && mix.headers[.acceptRanges] == "bytes")
            let bytes = Data(Array(mix.body.readableBytesView))
            let download = folder.file("mix.wav")
            try bytes.write(to: download)
            let (channels, rate) = try AudioFixture.read(download)
            let meter = LoudnessMeter(channelCount: 2, sampleRate: rate, measures: [.integrated])!
            SignalGenerator.interleave(channels).withUnsafeBufferPointer { meter.add(interleaved: $0.baseAddress!, frameCount: channels[0].count) }
            #expect(abs(meter.integratedLUFS! - -14) <= 0.2)
            #expect(channels.map { TruePeakScan.dBTP($0) }.max()! <= -1)
            // The original's layout on disk.
            #expect(FileManager.default.fileExists(
                atPath: folder.url.appendingPathComponent("data/storage/mix_outputs/\(session)/final_mix.wav").path))

            var rangeHeaders = auth
            rangeHeaders[.range] = "bytes=100-1099"
            let partial = try await client.execute(uri: "/api/jobs/\(jobID)/mix", method: .get, headers: rangeHeaders)
            #expect(partial.status == .partialContent)
            #expect(partial.headers[.contentRange] == "bytes 100-1099/\(bytes.count)")
            #expect(Data(Array(partial.body.readableBytesView)) == bytes[100..<1100])
            rangeHeaders[.range] = "bytes=\(bytes.count + 10)-"
            #expect(try await client.execute(uri: "/api/jobs/\(jobID)/mix", method: .get, headers: rangeHeaders).status == .rangeNotSatisfiable)

            let summary = try ServerTest.json(try await client.execute(uri: "/api/jobs/\(jobID)/summary", method: .get, headers: auth))
            #expect(summary["ceiling_held"] as? Bool == true && summary["frames_per_second"] as? Int == 20)
            let frames = try await client.execute(uri: "/api/jobs/\(jobID)/frames", method: .get, headers: auth)
            #expect(frames.status == .ok && Array(frames.body.readableBytesView.prefix(8)) == Array("MIXFRAME".utf8))
        }
    }

    @Test("a bad upload gets 422 naming the file and the reason; too large gets 413; nothing is left behind")
    func badUploads() async throws {
        let folder = try TemporaryDirectory()
        try await LiveServer.run(ServerTest.configuration(folder, maxUploadBytes: 200_000)) { client in
            let (session, token) = try await ServerTest.createSession(client)
            let auth = ServerTest.bearer(token)
            let garbage = try await client.execute(
                uri: "/api/sessions/\(session)/stems?name=notes.wav", method: .put, headers: auth,
                body: ByteBuffer(string: String(repeating: "not audio at all ", count: 100)))
            #expect(garbage.status == .unprocessableContent)
            let error = try ServerTest.json(garbage)["error"] as! [String: Any]
            #expect((error["message"] as! String).hasPrefix("notes.wav: "))
            #expect(error["code"] as? String == "invalid" && error["field"] as? String == "body")

            let big = try ServerTest.wav([[Float](repeating: 0.1, count: 150_000)])  // 300 KB
            let tooLarge = try await client.execute(
                uri: "/api/sessions/\(session)/stems?name=Big.wav", method: .put, headers: auth, body: big)
            #expect(tooLarge.status == .contentTooLarge)
            #expect((try ServerTest.json(tooLarge)["error"] as! [String: Any])["code"] as? String == "too_large")

            let noName = try await client.execute(uri: "/api/sessions/\(session)/stems", method: .put, headers: auth, body: big)
            #expect(noName.status == .unprocessableContent)
            #expect((try ServerTest.json(noName)["error"] as! [String: Any])["field"] as? String == "name")

            let stemsFolder = folder.url.appendingPathComponent("data/sessions/\(session)/stems")
            #expect(try FileManager.default.contentsOfDirectory(atPath: stemsFolder.path).isEmpty)
            let list = try ServerTest.json(try await client.execute(uri: "/api/sessions/\(session)/stems", method: .get, headers: auth))
            #expect((list["stems"] as! [Any]).isEmpty)
        }
    }

    /// The routes anyone may call; every other route of the routers belongs to a session.
    static let publicRoutes: Set<String> = [
        "GET /", "GET /web/{file}", "GET /web/js/{file}", "GET /api/recipes",
        "GET /health", "GET /metrics", "GET /openapi.json", "POST /api/sessions",
    ]

    @Test("tokens on every route the routers have: none is 401, another session's is 404, the right one gets through")
    func tokens() async throws {
        let folder = try TemporaryDirectory()
        let routes = try await RouteDocumentTests.catalogRoutes(try TemporaryDirectory())
            .filter { !Self.publicRoutes.contains($0.description) }.sorted { $0.description < $1.description }
        #expect(routes.count >= 13)
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let (session, token) = try await ServerTest.createSession(client)
            let (_, otherToken) = try await ServerTest.createSession(client)
            let stem = try ServerTest.stems()[0]
            let uploaded = try ServerTest.json(try await client.execute(
                uri: "/api/sessions/\(session)/stems?name=Lead.wav", method: .put, headers: ServerTest.bearer(token), body: stem.body))
            let stemID = uploaded["stem_id"] as! String
            let job = try ServerTest.json(try await client.execute(
                uri: "/api/sessions/\(session)/jobs", method: .post, headers: ServerTest.bearer(token)))
            let jobID = job["job_id"] as! String
            for route in routes {
                var uri = route.path.replacingOccurrences(of: "{session_id}", with: session)
                    .replacingOccurrences(of: "{stem_id}", with: stemID).replacingOccurrences(of: "{job_id}", with: jobID)
                #expect(!uri.contains("{"), "\(route): a path parameter the test does not know")
                if route.method == "PUT" { uri += "?name=a.wav" }
                let verb = HTTPRequest.Method(rawValue: route.method)!
                let none = try await client.execute(uri: uri, method: verb, body: ByteBuffer(string: "{}"))
                #expect(none.status == .unauthorized, "\(route) without a token: \(none.status)")
                let other = try await client.execute(uri: uri, method: verb, headers: ServerTest.bearer(otherToken), body: ByteBuffer(string: "{}"))
                #expect(other.status == .notFound, "\(route) with another session's token: \(other.status)")
            }
            #expect(try await client.execute(uri: "/api/jobs/\(jobID)?token=\(token)", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
            _ = try await ServerTest.waitForJob(client, jobID, token: token)
        }
    }

    @Test("stems change role, gain and mute; bad values are refused naming the field; delete removes the file")
    func stemChanges() async throws {
        let folder = try TemporaryDirectory()
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let (session, token) = try await ServerTest.createSession(client)
            let auth = ServerTest.bearer(token)
            let stem = try ServerTest.stems()[0]
            let uploaded = try ServerTest.json(try await client.execute(
                uri: "/api/sessions/\(session)/stems?name=Audio%201.wav", method: .put, headers: auth, body: stem.body))
            let stemID = uploaded["stem_id"] as! String
            let changed = try ServerTest.json(try await client.execute(
                uri: "/api/sessions/\(session)/stems/\(stemID)", method: .patch, headers: auth,
                body: ByteBuffer(string: #"{"role": "adlib", "gain_db": -3, "muted": true}"#)))
            #expect(changed["role"] as? String == "adlib" && changed["role_guessed"] as? Bool == false)
            #expect(changed["gain_db"] as? Double == -3 && changed["muted"] as? Bool == true)
            for (body, field) in [(#"{"role": "singer"}"#, "role"), (#"{"gain_db": 99}"#, "gain_db"), (#"{"muted": "yes"}"#, "muted")] {
                let response = try await client.execute(
                    uri: "/api/sessions/\(session)/stems/\(stemID)", method: .patch, headers: auth, body: ByteBuffer(string: body))
                #expect(response.status == .unprocessableContent)
                #expect((try ServerTest.json(response)["error"] as! [String: Any])["field"] as? String == field)
            }
            let deleted = try await client.execute(uri: "/api/sessions/\(session)/stems/\(stemID)", method: .delete, headers: auth)
            #expect(deleted.status == .noContent)
            #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("data/sessions/\(session)/stems/\(stemID)").path))
            #expect(try await client.execute(uri: "/api/sessions/\(session)/stems/\(stemID)", method: .delete, headers: auth).status == .notFound)
        }
    }

    @Test("a job's intensity per stage: kept with the job, applied, in its summary; a bad one names its field")
    func intensity() async throws {
        let folder = try TemporaryDirectory()
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let (session, token) = try await ServerTest.sessionWithStems(client)
            let auth = ServerTest.bearer(token)
            for (body, field) in [
                (#"{"intensity": {"tracks": {"eq": 150}}}"#, "intensity.tracks.eq"),
                (#"{"intensity": {"master": {"saturation": 50}}}"#, "intensity.master.saturation"),
                (#"{"intensity": {"master": {"width": -1}}}"#, "intensity.master.width"),
                (#"{"intensity": {"tracks": {"limiter": 50}}}"#, "intensity.tracks.limiter"),
            ] {
                let response = try await client.execute(
                    uri: "/api/sessions/\(session)/jobs", method: .post, headers: auth, body: ByteBuffer(string: body))
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect((try ServerTest.json(response)["error"] as? [String: Any])?["field"] as? String == field, "\(body)")
            }
            let jobID = try await ServerTest.startJob(
                client, session: session, token: token,
                body: #"{"intensity": {"tracks": {"compression": 0, "width": 40}, "master": {"eq": 0}}}"#)
            let status = try await ServerTest.waitForJob(client, jobID, token: token)
            #expect(status["state"] as? String == "complete", "\(status)")
            let options = try #require(status["options"] as? [String: Any])
            let asked = try #require(options["intensity"] as? [String: [String: Double]])
            #expect(asked["tracks"]?["compression"] == 0 && asked["tracks"]?["width"] == 40 && asked["master"]?["eq"] == 0)
            let summary = try ServerTest.json(try await client.execute(uri: "/api/jobs/\(jobID)/summary", method: .get, headers: auth))
            let applied = try #require(summary["intensity"] as? [String: [String: Double]])
            #expect(applied["tracks"] == ["eq": 100, "compression": 0, "saturation": 100, "width": 40, "limiter": 100])
            #expect(applied["master"] == ["eq": 0, "compression": 100, "saturation": 100, "width": 100, "limiter": 100])
            let tracks = try #require(summary["tracks"] as? [[String: Any]])
            #expect(tracks.allSatisfy { $0["compressor_gr_max_db"] as? Double == 0 })
            #expect(((summary["master"] as? [String: Any])?["eq"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("sessions, stems and finished jobs survive a restart on the same data folder")
    func restart() async throws {
        let folder = try TemporaryDirectory()
        let ids = IDs()
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let (session, token) = try await ServerTest.createSession(client)
            let stem = try ServerTest.stems()[1]
            _ = try await client.execute(
                uri: "/api/sessions/\(session)/stems?name=Beat.wav", method: .put, headers: ServerTest.bearer(token), body: stem.body)
            let job = try ServerTest.json(try await client.execute(
                uri: "/api/sessions/\(session)/jobs", method: .post, headers: ServerTest.bearer(token)))
            _ = try await ServerTest.waitForJob(client, job["job_id"] as! String, token: token)
            ids.set(session, token, job["job_id"] as! String)
        }
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let (session, token, job) = ids.get()
            let body = try ServerTest.json(try await client.execute(uri: "/api/sessions/\(session)", method: .get, headers: ServerTest.bearer(token)))
            #expect((body["stems"] as! [[String: Any]]).map { $0["name"] as! String } == ["Beat.wav"])
            #expect((body["jobs"] as! [[String: Any]]).first?["state"] as? String == "complete")
            #expect(try await client.execute(uri: "/api/jobs/\(job)/mix", method: .get, headers: ServerTest.bearer(token)).status == .ok)
        }
    }
}

/// Carries ids from one server's test closure to the next.
final class IDs: @unchecked Sendable {
    private let lock = NSLock()
    private var values = ("", "", "")

    func set(_ a: String, _ b: String, _ c: String) {
        lock.lock()
        values = (a, b, c)
        lock.unlock()
    }

    func get() -> (String, String, String) {
        lock.lock()
        defer { lock.unlock() }
        return values
    }
}
