import Foundation
import MixTesting
import NIOWebSocket
import Testing

/// The real binary stopped with a real SIGTERM: renders finish within the grace or fail saying
/// why, their sockets are told, no connection holds the process, and nothing half-written is
/// left under a final name.
@Suite("graceful stop (the mixdown binary, SIGTERM)", .serialized)
struct GracefulStopTests {
    @Test("a render that fits in the grace completes, its socket closes normally, and idle, silent and slow connections do not hold the process past the grace")
    func rendersFinish() async throws {
        let folder = try TemporaryDirectory()
        let data = folder.url.appendingPathComponent("data")
        let grace = 6.0
        let server = try BinaryServer.start(data: data, arguments: ["--workers", "1", "--shutdown-grace", "\(grace)"])
        defer { if server.process.isRunning { server.kill9() } }
        // A finished mix to download slowly, and a second job rendering when the signal comes.
        let session = try await offPool { try server.sessionWithTone(seconds: 40, folder: folder) }
        let first = try server.startJob(session)
        _ = try await offPool { try server.waitForJob(first, token: session.token) { $0 == "complete" } }
        let second = try server.startJob(session, body: #"{"recipe": "loud"}"#)
        let recording = RealtimeRecording()
        async let socket = RealtimeSocketClient.session(
            port: server.port, jobID: second, token: session.token, socket: "status", recording: recording
        ) { try await $0.recording.wait(for: "the close", timeout: .seconds(120)) { $0.closeCode != nil } }
        try await recording.wait(for: "the socket's first message") { !$0.texts.isEmpty }
        _ = try await offPool { try server.waitForJob(second, token: session.token) { BinaryServer.runningStates.contains($0) || $0 == "complete" } }

        let (silent, idle, slow) = try await offPool {
            (try HeldConnection(port: server.port, request: nil),
             try HeldConnection(port: server.port, request: "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"),
             try HeldConnection(
                port: server.port, request: "GET /api/jobs/\(first)/mix HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(session.token)\r\n\r\n",
                receiveBufferBytes: 4096))
        }
        defer { [silent, idle, slow].forEach { $0.close() } }

        let stoppedIn = try await offPool { server.terminate() }
        #expect(server.process.terminationStatus == 0)
        #expect(stoppedIn < grace + 2, "the process took \(stoppedIn) s to stop, with a \(grace) s grace")
        let reading = try await socket
        #expect(reading.texts.last?.json["state"] as? String == "complete")
        #expect(reading.closeCode == .normalClosure)
        #expect(CrashRecoveryTests.partialFiles(in: data).isEmpty)

        let restarted = try BinaryServer.start(data: data)
        defer { _ = restarted.terminate() }
        let (_, job) = try await offPool { try restarted.request("/api/jobs/\(second)", token: session.token) }
        #expect(job["state"] as? String == "complete")
        let (_, summary) = try await offPool { try restarted.request("/api/jobs/\(second)/summary", token: session.token) }
        #expect(summary["recipe"] as? String == "loud")
    }

    @Test("a render the grace cannot wait for fails saying the server shut down; its sockets say so and close going away (1001); a queued job runs at the next start")
    func rendersCutOff() async throws {
        let folder = try TemporaryDirectory()
        let data = folder.url.appendingPathComponent("data")
        let server = try BinaryServer.start(data: data, arguments: ["--workers", "1", "--shutdown-grace", "1"])
        defer { if server.process.isRunning { server.kill9() } }
        // Six minutes of audio: a render that outlasts a one-second grace on any machine.
        let session = try await offPool { try server.sessionWithTone(seconds: 360, folder: folder) }
        let running = try server.startJob(session)
        let queued = try server.startJob(session)
        let recordings = (status: RealtimeRecording(), realtime: RealtimeRecording(), waiting: RealtimeRecording())
        func follow(_ job: String, _ socket: String, _ recording: RealtimeRecording) async throws -> RealtimeRecording {
            try await RealtimeSocketClient.session(port: server.port, jobID: job, token: session.token, socket: socket, recording: recording) {
                try await $0.recording.wait(for: "the close", timeout: .seconds(120)) { $0.closeCode != nil }
            }
        }
        async let status = follow(running, "status", recordings.status)
        async let realtime = follow(running, "realtime", recordings.realtime)
        async let waiting = follow(queued, "realtime", recordings.waiting)
        for recording in [recordings.status, recordings.realtime, recordings.waiting] {
            try await recording.wait(for: "the socket's first message") { !$0.texts.isEmpty }
        }
        _ = try await offPool { try server.waitForJob(running, token: session.token) { BinaryServer.runningStates.contains($0) } }

        let stoppedIn = try await offPool { server.terminate() }
        #expect(stoppedIn < 1 + 3, "the process took \(stoppedIn) s to stop, with a 1 s grace")
        let statusReading = try await status
        let last = try #require(statusReading.texts.last?.json)
        #expect(last["state"] as? String == "failed")
        #expect((last["error"] as? String)?.contains("the server shut down") == true)
        #expect(statusReading.closeCode == .goingAway)
        let realtimeReading = try await realtime
        #expect(realtimeReading.texts.last?.json["state"] as? String == "failed")
        #expect(realtimeReading.closeCode == .goingAway)
        let waitingReading = try await waiting
        #expect(waitingReading.texts.last?.type == "bye")
        #expect(waitingReading.closeCode == .goingAway)
        // Nothing half-written anywhere, and nothing of the stopped render under a final name.
        #expect(CrashRecoveryTests.partialFiles(in: data).isEmpty)
        let jobFolder = data.appendingPathComponent("storage/mix_outputs/\(session.id)/jobs/\(running)")
        #expect(!FileManager.default.fileExists(atPath: jobFolder.path))

        let restarted = try BinaryServer.start(data: data)
        defer { _ = restarted.terminate() }
        let (_, job) = try await offPool { try restarted.request("/api/jobs/\(running)", token: session.token) }
        #expect(job["state"] as? String == "failed")
        #expect((job["error"] as? String)?.contains("the server shut down") == true)
        let next = try await offPool { try restarted.waitForJob(queued, token: session.token) { $0 == "complete" || $0 == "failed" } }
        #expect(next["state"] as? String == "complete", "\(next)")
    }
}

/// A TCP connection held open: one that sends nothing, one that made a request and then idles on
/// keep-alive, or one reading a download slowly (a small receive buffer, never read).
final class HeldConnection: Sendable {
    private let fd: Int32

    init(port: Int, request: String?, receiveBufferBytes: Int32? = nil, readsAnswer: Bool = true) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBufferBytes { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let request else { return }
        _ = Array(request.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        if readsAnswer { _ = receive(maxBytes: 512) }
    }

    /// Up to `maxBytes` of what the server sent (waiting up to 5 s); nil once it closed.
    func receive(maxBytes: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: maxBytes)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return count > 0 ? Array(buffer[0..<count]) : nil
    }

    func close() { _ = Glibc.close(fd) }
}
