import Crypto
import Foundation
import HTTPTypes
import MixEngine
import MixServer
import MixTesting
import NIOCore
import Testing

@Suite("each job owns its files; stems are known by id; the API and the CLI give the same bytes")
struct JobFilesTests {
    static func bytes(_ response: LiveResponse) -> Data { Data(response.body.readableBytesView) }

    @Test("a second job in a session leaves the first one's mix and summary as they were; the session's newest mix is the second's")
    func jobsOwnTheirFiles() async throws {
        let folder = try TemporaryDirectory()
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let (session, token) = try await ServerTest.sessionWithStems(client, seconds: 4)
            let auth = ServerTest.bearer(token)
            let first = try await ServerTest.startJob(client, session: session, token: token, body: #"{"recipe": "balanced"}"#)
            #expect(try await ServerTest.waitForJob(client, first, token: token)["state"] as? String == "complete")
            let firstMix = Self.bytes(try await client.execute(uri: "/api/jobs/\(first)/mix", method: .get, headers: auth))
            let second = try await ServerTest.startJob(client, session: session, token: token, body: #"{"recipe": "loud"}"#)
            #expect(try await ServerTest.waitForJob(client, second, token: token)["state"] as? String == "complete")
            let secondMix = Self.bytes(try await client.execute(uri: "/api/jobs/\(second)/mix", method: .get, headers: auth))
            #expect(firstMix != secondMix && firstMix.count > 100_000)
            #expect(Self.bytes(try await client.execute(uri: "/api/jobs/\(first)/mix", method: .get, headers: auth)) == firstMix)
            let summary = try ServerTest.json(try await client.execute(uri: "/api/jobs/\(first)/summary", method: .get, headers: auth))
            #expect(summary["recipe"] as? String == "balanced")
            let frames = Self.bytes(try await client.execute(uri: "/api/jobs/\(first)/frames", method: .get, headers: auth))
            #expect(frames.starts(with: Array("MIXFRAME".utf8)))
            // The original's place holds the session's newest complete mix: the second job's.
            let newest = folder.url.appendingPathComponent("data/storage/mix_outputs/\(session)")
            #expect(try Data(contentsOf: newest.appendingPathComponent("final_mix.wav")) == secondMix)
            let newestSummary = try JSONSerialization.jsonObject(with: Data(contentsOf: newest.appendingPathComponent("final_mix.summary.json")))
            #expect((newestSummary as? [String: Any])?["recipe"] as? String == "loud")
        }
    }

    @Test("two uploads of one name are two stems; gain and mute reach the render by stem id")
    func stemsByID() async throws {
        let folder = try TemporaryDirectory()
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let (session, token) = try await ServerTest.createSession(client)
            let auth = ServerTest.bearer(token)
            let stems = try ServerTest.stems(seconds: 4)
            var ids: [String] = []
            // The lead's file and the beat's file, both uploaded as "Vox.wav", and a beat.
            for body in [stems[0].body, stems[1].body] {
                let response = try await client.execute(uri: "/api/sessions/\(session)/stems?name=Vox.wav", method: .put, headers: auth, body: body)
                #expect(response.status == .created)
                ids.append(try #require(try ServerTest.json(response)["stem_id"] as? String))
            }
            _ = try await client.execute(uri: "/api/sessions/\(session)/stems?name=Beat.wav", method: .put, headers: auth, body: stems[1].body)
            #expect(Set(ids).count == 2)
            let list = try ServerTest.json(try await client.execute(uri: "/api/sessions/\(session)/stems", method: .get, headers: auth))
            #expect((list["stems"] as? [[String: Any]])?.filter { $0["name"] as? String == "Vox.wav" }.count == 2)
            _ = try await client.execute(
                uri: "/api/sessions/\(session)/stems/\(ids[1])", method: .patch, headers: auth, body: ByteBuffer(string: #"{"muted": true}"#))
            _ = try await client.execute(
                uri: "/api/sessions/\(session)/stems/\(ids[0])", method: .patch, headers: auth, body: ByteBuffer(string: #"{"gain_db": -3}"#))
            let job = try await ServerTest.startJob(client, session: session, token: token)
            #expect(try await ServerTest.waitForJob(client, job, token: token)["state"] as? String == "complete")
            let summary = try ServerTest.json(try await client.execute(uri: "/api/jobs/\(job)/summary", method: .get, headers: auth))
            let tracks = try #require(summary["tracks"] as? [[String: Any]])
            #expect(tracks.compactMap { $0["stem_id"] as? String }.contains(ids[0]))
            #expect(!tracks.compactMap { $0["stem_id"] as? String }.contains(ids[1]))
            #expect(tracks.first { $0["stem_id"] as? String == ids[0] }?["user_gain_db"] as? Double == -3)
            #expect(summary["muted"] as? [String] == ["Vox.wav"])
        }
    }

    @Test(
        "corpus session 01 mixed through the API and by `mixdown mix` gives the same bytes",
        .enabled(if: Corpus.sessionsDirectory != nil, Comment(rawValue: Corpus.sessionsAbsentMessage)))
    func sameBytesThroughEitherDoor() async throws {
        let sessions = try #require(Corpus.sessionsDirectory)
        let sessionFolder = try #require(
            try FileManager.default.contentsOfDirectory(at: sessions, includingPropertiesForKeys: nil).first { $0.lastPathComponent.hasPrefix("01") })
        let folder = try TemporaryDirectory()
        let cliMix = folder.file("cli-mix.wav")
        let cli = try await offPool { try ProcessRunner.run(ProcessRunner.mixdownBinary, ["mix", sessionFolder.path, "--out", cliMix.path, "--json"]) }
        try #require(cli.status == 0, "\(cli.standardError)")
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let (session, token) = try await ServerTest.createSession(client)
            let auth = ServerTest.bearer(token)
            let files = try FileManager.default.contentsOfDirectory(at: sessionFolder, includingPropertiesForKeys: nil)
                .filter { SessionInspector.audioExtensions.contains($0.pathExtension.lowercased()) }
            for file in files {
                let name = file.lastPathComponent.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let response = try await client.execute(
                    uri: "/api/sessions/\(session)/stems?name=\(name)", method: .put, headers: auth,
                    body: ByteBuffer(bytes: try Data(contentsOf: file)))
                #expect(response.status == .created, "\(file.lastPathComponent)")
            }
            let job = try await ServerTest.startJob(client, session: session, token: token)
            #expect(try await ServerTest.waitForJob(client, job, token: token)["state"] as? String == "complete")
            let apiMix = Self.bytes(try await client.execute(uri: "/api/jobs/\(job)/mix", method: .get, headers: auth))
            let cliBytes = try Data(contentsOf: cliMix)
            #expect(apiMix.count == cliBytes.count)
            #expect(SHA256.hash(data: apiMix).description == SHA256.hash(data: cliBytes).description)
        }
    }
}
