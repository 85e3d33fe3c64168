import Foundation
import HTTPTypes
import HummingbirdTesting
import MixServer
import MixTesting
import NIOCore
import Testing

@Suite("hostile file names, live: names are data, never paths")
struct HostileNameTests {
    /// (name as sent, name as stored and shown)
    static let names: [(sent: String, shown: String)] = [
        ("../../../escape.wav", "../../../escape.wav"),
        ("/etc/passwd", "/etc/passwd"),
        ("a/b/c.wav", "a/b/c.wav"),
        ("..", ".."),
        ("\u{0}nul\u{0}.wav", "nul.wav"),
        ("C:\\Windows\\system.wav", "C:\\Windows\\system.wav"),
        ("\u{202E}vaw.exe", "vaw.exe"),
        ("  😀 lead\n.wav  ", "😀 lead.wav"),
        ("%2e%2e%2fencoded.wav", "%2e%2e%2fencoded.wav"),
    ]

    @Test("each name is kept as data; every file lands under its stem id; a mix of them completes")
    func namesAreData() async throws {
        let folder = try TemporaryDirectory()
        let body = try ServerTest.stems()[0].body
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let (session, token) = try await ServerTest.createSession(client)
            let auth = ServerTest.bearer(token)
            for (sent, shown) in Self.names {
                let encoded = sent.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let response = try await client.execute(
                    uri: "/api/sessions/\(session)/stems?name=\(encoded)", method: .put, headers: auth, body: body)
                #expect(response.status == .created, "\(sent.debugDescription): \(response.status)")
                #expect(try ServerTest.json(response)["name"] as? String == shown, "\(sent.debugDescription)")
            }
            let tooLong = String(repeating: "é", count: 200) + ".wav"  // 404 bytes
            let refused = try await client.execute(
                uri: "/api/sessions/\(session)/stems?name=\(tooLong.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)",
                method: .put, headers: auth, body: body)
            #expect(refused.status == .unprocessableContent)
            #expect((try ServerTest.json(refused)["error"] as! [String: Any])["field"] as? String == "name")

            // Every file in the data folder is the database or a stem stored under its id.
            let data = folder.url.appendingPathComponent("data")
            let stemPath = try Regex("^sessions/[0-9a-f]{32}/stems/[0-9a-f]{32}$")
            let enumerator = try #require(FileManager.default.enumerator(at: data, includingPropertiesForKeys: [.isRegularFileKey]))
            var stemFiles = 0
            for case let url as URL in enumerator where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
                let relative = String(url.path.dropFirst(data.path.count + 1))
                if relative.hasPrefix("mixdown.sqlite") { continue }
                #expect(relative.wholeMatch(of: stemPath) != nil, "unexpected file \(relative)")
                stemFiles += 1
            }
            #expect(stemFiles == Self.names.count)
            #expect(!FileManager.default.fileExists(atPath: folder.url.deletingLastPathComponent().appendingPathComponent("escape.wav").path))

            let jobID = try await ServerTest.startJob(client, session: session, token: token)
            let status = try await ServerTest.waitForJob(client, jobID, token: token)
            #expect(status["state"] as? String == "complete", "\(status)")
            let summary = try ServerTest.json(try await client.execute(uri: "/api/jobs/\(jobID)/summary", method: .get, headers: auth))
            let files = Set((summary["tracks"] as? [[String: Any]] ?? []).compactMap { $0["file"] as? String })
            #expect(files == Set(Self.names.map(\.shown)))
        }
    }
}
