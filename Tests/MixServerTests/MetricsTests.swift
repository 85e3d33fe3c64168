import Foundation
import HTTPTypes
import HummingbirdTesting
import MixServer
import MixTesting
import NIOCore
import Testing

@Suite("/metrics for Prometheus, live")
struct MetricsTests {
    /// The exposition's samples: `name{labels}` → value.
    static func samples(_ client: LiveClient) async throws -> [String: Double] {
        let response = try await client.execute(uri: "/metrics", method: .get)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
        var samples: [String: Double] = [:]
        for line in String(buffer: response.body).split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Double(parts[1]) { samples[String(parts[0])] = value }
        }
        return samples
    }

    @Test("jobs by state, job duration, render speed, upload bytes and open sockets follow what happened")
    func followsTheService() async throws {
        let folder = try TemporaryDirectory()
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let before = try await Self.samples(client)
            #expect(before["mixdown_jobs{state=\"complete\"}"] == 0)
            #expect(before["mixdown_upload_bytes_total"] == 0 && before["mixdown_open_sockets"] == 0)

            let uploadBytes = try (ServerTest.stems(seconds: 30) + ServerTest.stems(seconds: 180)).map(\.body.readableBytes).reduce(0, +)
            let (session, token) = try await ServerTest.sessionWithStems(client, seconds: 30)
            let first = try await ServerTest.startJob(client, session: session, token: token)
            _ = try await ServerTest.waitForJob(client, first, token: token)

            // A long job in a session of its own, watched by a socket, then cancelled.
            let (longSession, longToken) = try await ServerTest.sessionWithStems(client, seconds: 180)
            let long = try await ServerTest.startJob(client, session: longSession, token: longToken, body: #"{"recipe": "loud"}"#)
            let port = try #require(client.port)
            let reading = Task { try await StatusSocketReading.read(port: port, jobID: long, token: longToken) }
            var open = 0.0
            for _ in 0..<200 where open == 0 {
                open = try await Self.samples(client)["mixdown_open_sockets"] ?? 0
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(open == 1)
            let cancel = try await client.execute(uri: "/api/jobs/\(long)/cancel", method: .post, headers: ServerTest.bearer(longToken))
            #expect(cancel.status == .ok)
            let messages = try await reading.value.messages.count
            var stillOpen = 1.0
            for _ in 0..<100 where stillOpen != 0 {
                stillOpen = try await Self.samples(client)["mixdown_open_sockets"] ?? -1
                try await Task.sleep(for: .milliseconds(20))
            }

            let after = try await Self.samples(client)
            #expect(after["mixdown_jobs{state=\"complete\"}"] == 1)
            #expect(after["mixdown_jobs{state=\"cancelled\"}"] == 1)
            #expect(after["mixdown_upload_bytes_total"] == Double(uploadBytes))
            #expect(after["mixdown_job_duration_seconds_count{state=\"complete\"}"] == 1)
            #expect(after["mixdown_job_duration_seconds_count{state=\"cancelled\"}"] == 1)
            #expect(after["mixdown_render_speed_ratio_count"] == 1)
            // 30 s of audio mixed in well under 30 s: the speed recorded is above 1×.
            #expect((after["mixdown_render_speed_ratio_sum"] ?? 0) > 1)
            #expect(after["mixdown_open_sockets"] == 0)
            #expect(after["mixdown_socket_messages_total"] == Double(messages))
        }
    }
}
