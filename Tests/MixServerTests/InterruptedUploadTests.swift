import Foundation
import HTTPTypes
import HummingbirdTesting
import MixServer
import MixTesting
import NIOCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("an upload cut off mid-body, live")
struct InterruptedUploadTests {
    /// Sends a PUT whose body stops after `sentBytes` of the `claimedBytes` it announced, then
    /// closes the connection: a client that went away mid-upload.
    static func abandonUpload(port: Int, path: String, token: String, claimedBytes: Int, sentBytes: Int) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        let head = "PUT \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
            + "Content-Length: \(claimedBytes)\r\nContent-Type: application/octet-stream\r\n\r\n"
        let bytes = Array(head.utf8) + [UInt8](repeating: 0x55, count: sentBytes)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress! + offset, $0.count - offset, 0) }
            try #require(written > 0)
            offset += written
        }
    }

    @Test("the partial file is removed, no stem is listed, and the service goes on")
    func cutOff() async throws {
        let folder = try TemporaryDirectory()
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let (session, token) = try await ServerTest.createSession(client)
            let stems = folder.url.appendingPathComponent("data/sessions/\(session)/stems")
            try Self.abandonUpload(
                port: try #require(client.port), path: "/api/sessions/\(session)/stems?name=Half.wav", token: token,
                claimedBytes: 8 << 20, sentBytes: 1 << 20)
            // The server sees the connection end and cleans up; give it a moment.
            var leftovers: [String] = ["?"]
            for _ in 0..<100 where !leftovers.isEmpty {
                try await Task.sleep(for: .milliseconds(20))
                leftovers = try FileManager.default.contentsOfDirectory(atPath: stems.path)
            }
            #expect(leftovers.isEmpty, "left behind: \(leftovers)")
            let list = try ServerTest.json(try await client.execute(
                uri: "/api/sessions/\(session)/stems", method: .get, headers: ServerTest.bearer(token)))
            #expect((list["stems"] as! [Any]).isEmpty)
            // The next upload works.
            let stem = try ServerTest.stems()[0]
            let response = try await client.execute(
                uri: "/api/sessions/\(session)/stems?name=Whole.wav", method: .put, headers: ServerTest.bearer(token), body: stem.body)
            #expect(response.status == .created)
        }
    }
}
