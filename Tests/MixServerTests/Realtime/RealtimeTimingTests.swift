import Foundation
import MixTesting
import NIOCore
import NIOWebSocket
import Synchronization
import Testing

/// Rates and a slow client among fast ones, against the real binary. These measure time, so
/// `./scripts/test` runs them on their own, after the other tests (a render on both cores beside
/// them would measure the machine, not the stream).
@Suite("realtime stream timing: rates, and a slow client among 49 fast ones (the mixdown binary)", .serialized)
struct RealtimeTimingTests {
    /// Frames a second of a recording, counted by the server's send times over `windowS` seconds
    /// starting half a second after the first frame (the client's own scheduling does not count).
    static func rate(_ frames: [RealtimeRecording.Frame], windowS: Double = 5) -> Double {
        guard let first = frames.first?.sentAtMs else { return 0 }
        let start = first + 500, end = start + windowS * 1000
        return Double(frames.filter { $0.sentAtMs >= start && $0.sentAtMs < end }.count) / windowS
    }

    /// A server with a complete 60 fps job of `seconds`; its port, token and job.
    static func serverWithJob(_ folder: TemporaryDirectory, seconds: Int) async throws -> (BinaryServer, token: String, job: String) {
        let server = try BinaryServer.start(data: folder.url.appendingPathComponent("data"), arguments: ["--workers", "1"])
        let session = try await offPool { try server.sessionWithTone(seconds: seconds, folder: folder) }
        let job = try server.startJob(session, body: #"{"fps": 60}"#)
        let status = try await offPool { try server.waitForJob(job, token: session.token) { ["complete", "failed"].contains($0) } }
        try #require(status["state"] as? String == "complete", "\(status)")
        return (server, session.token, job)
    }

    @Test("replay at 10, 30 and 60 frames a second, each within ±5 % over 5 s, the song moving at the wall clock's pace")
    func rates() async throws {
        let folder = try TemporaryDirectory()
        let (server, token, job) = try await Self.serverWithJob(folder, seconds: 12)
        defer { _ = server.terminate() }
        try await withThrowingTaskGroup(of: (Int, RealtimeRecording).self) { group in
            for fps in [10, 30, 60] {
                group.addTask {
                    let recording = try await RealtimeSocketClient.session(port: server.port, jobID: job, token: token, query: "fps=\(fps)") {
                        try await Task.sleep(for: .seconds(6))
                        _ = $0
                    }
                    return (fps, recording)
                }
            }
            for try await (fps, recording) in group {
                let rate = Self.rate(recording.frames)
                #expect(abs(rate - Double(fps)) <= 0.05 * Double(fps), "\(fps) fps asked, \(rate) sent a second")
                let frames = recording.frames
                let pace = (frames.last!.mediaTimeS - frames.first!.mediaTimeS) / ((frames.last!.sentAtMs - frames.first!.sentAtMs) / 1000)
                #expect(abs(pace - 1) <= 0.05, "\(fps) fps: the song moved \(pace)× the wall clock")
            }
        }
    }

    @Test("a client reading one message a second among 49 reading at 60 fps: the 49 keep their rate, the slow one skips frames, the server's memory stays flat; a render watched by a slow client keeps its time")
    func slowAmongFast() async throws {
        let folder = try TemporaryDirectory()
        let (server, token, job) = try await Self.serverWithJob(folder, seconds: 30)
        defer { _ = server.terminate() }
        let session = try await offPool { try server.sessionWithTone(seconds: 120, folder: folder) }
        // A render's time on its own, then beside the 50 clients.
        let alone = try await Self.renderSeconds(server, session)
        let rssBefore = try Self.residentMB(server.process.processIdentifier)
        let rssSamples = Samples()
        let recordings = try await withThrowingTaskGroup(of: (Bool, RealtimeRecording).self) { group in
            for client in 0..<50 {
                let slow = client == 0
                group.addTask {
                    if slow {
                        return (true, try await SlowReader.read(port: server.port, jobID: job, token: token, seconds: 8))
                    }
                    let recording = try await RealtimeSocketClient.session(port: server.port, jobID: job, token: token, query: "fps=60") {
                        try await Task.sleep(for: .seconds(8))
                        _ = $0
                    }
                    return (false, recording)
                }
            }
            group.addTask {
                for _ in 0..<8 {
                    try await Task.sleep(for: .seconds(1))
                    let rss = try Self.residentMB(server.process.processIdentifier)
                    rssSamples.append(rss)
                }
                return (false, RealtimeRecording())
            }
            var all: [(Bool, RealtimeRecording)] = []
            for try await result in group where !result.1.frames.isEmpty || result.0 { all.append(result) }
            return all
        }
        let fast = recordings.filter { !$0.0 }.map(\.1)
        #expect(fast.count == 49)
        let rates = fast.map { Self.rate($0.frames) }
        for rate in rates { #expect(abs(rate - 60) <= 3, "a fast client got \(rate) frames a second") }
        let slow = try #require(recordings.first { $0.0 }?.1)
        let sequences = slow.frames.map(\.sequence)
        #expect(slow.frames.count >= 5 && slow.frames.count < 60, "the slow client read \(slow.frames.count) messages")
        // Frames are skipped for it, not queued: past the few its own socket buffers hold, what it
        // gets next is the newest, so its sequence numbers jump and span many more frames than it read.
        let gaps = zip(sequences, sequences.dropFirst()).map { Int($1) - Int($0) }
        let spanned = Int(sequences.last!) - Int(sequences.first!)
        #expect(gaps.contains { $0 > 30 } && spanned >= 10 * sequences.count, "gaps \(gaps)")
        // Memory: what 50 sockets take comes in their first seconds (a render beside them too),
        // then stays; nothing grows with the frames sent.
        let rss = rssSamples.values
        #expect(rss.max()! - rssBefore < 40, "the server's RSS went from \(rssBefore) MB to \(rss) MB")
        #expect(rss.suffix(4).max()! - rss.prefix(4).max()! < 8, "the server's RSS kept growing: \(rss) MB")
        // A render whose live stream a slow client reads (one message a second) takes its time.
        let watched = try server.startJob(session)
        async let slowWatcher = SlowReader.read(port: server.port, jobID: watched, token: session.token, seconds: 4)
        try await offPool { _ = try server.waitForJob(watched, token: session.token) { ["complete", "failed"].contains($0) } }
        let (_, summary) = try await offPool { try server.request("/api/jobs/\(watched)/summary", token: session.token) }
        let beside = try #require(summary["render_s"] as? Double)
        _ = try await slowWatcher
        #expect(beside < alone * 1.25 + 0.3, "the render took \(alone) s alone, \(beside) s with a slow client on its stream")
    }

    /// Renders a job of `session` (after `delay`); its render time as the summary says.
    static func renderSeconds(_ server: BinaryServer, _ session: (id: String, token: String), after delay: Duration = .zero) async throws -> Double {
        try await Task.sleep(for: delay)
        let job = try server.startJob(session)
        try await offPool { _ = try server.waitForJob(job, token: session.token) { ["complete", "failed"].contains($0) } }
        let (_, summary) = try await offPool { try server.request("/api/jobs/\(job)/summary", token: session.token) }
        return try #require(summary["render_s"] as? Double)
    }

    /// The resident memory of a process, in MB.
    static func residentMB(_ pid: Int32) throws -> Double {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        let kilobytes = try #require(Double(line.split(separator: " ").dropFirst().first ?? ""))
        return kilobytes / 1024
    }
}

/// Numbers gathered by one task and read by another.
final class Samples: Sendable {
    private let list = Mutex<[Double]>([])
    func append(_ value: Double) { list.withLock { $0.append(value) } }
    var values: [Double] { list.withLock { $0 } }
}

/// A client that takes one message a second from a realtime stream at 60 fps, on a plain socket
/// with a small receive buffer (so the server's writes to it wait, as to a phone on a bad
/// network): it records each binary frame's header.
enum SlowReader {
    static func read(port: Int, jobID: String, token: String, seconds: Int) async throws -> RealtimeRecording {
        let recording = RealtimeRecording()
        let connection = try await offPool {
            try HeldConnection(
                port: port,
                request: """
                    GET /ws/mix/realtime/\(jobID)?token=\(token)&fps=60 HTTP/1.1\r
                    Host: 127.0.0.1\r
                    Upgrade: websocket\r
                    Connection: Upgrade\r
                    Sec-WebSocket-Version: 13\r
                    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
                    \r

                    """, receiveBufferBytes: 2048, readsAnswer: false)
        }
        defer { connection.close() }
        try await offPool {
            var parser = WebSocketFrameParser()
            for _ in 0..<seconds {
                Thread.sleep(forTimeInterval: 1)
                // One message a second: bytes are taken only until the next one is whole.
                let before = recording.frames.count
                while recording.frames.count == before, let bytes = connection.receive(maxBytes: 256) {
                    parser.feed(bytes) { opcode, payload in
                        if opcode == 2 { recording.add(binary: .init(bytes: payload)) }
                    }
                }
            }
        }
        return recording
    }
}

/// Just enough of RFC 6455 to read unmasked server frames from a byte stream.
struct WebSocketFrameParser {
    private var buffer: [UInt8] = []
    private var message: [UInt8] = []
    private var messageOpcode: UInt8 = 0
    private var sawHTTPHead = false

    mutating func feed(_ bytes: [UInt8], message handler: (UInt8, [UInt8]) -> Void) {
        buffer += bytes
        if !sawHTTPHead {
            guard let end = buffer.indices.dropLast(3).first(where: { buffer[$0...($0 + 3)] == [13, 10, 13, 10] }) else { return }
            buffer.removeFirst(end + 4)
            sawHTTPHead = true
        }
        while buffer.count >= 2 {
            let fin = buffer[0] & 0x80 != 0, opcode = buffer[0] & 0x0F
            var length = Int(buffer[1] & 0x7F), header = 2
            if length == 126 {
                guard buffer.count >= 4 else { return }
                length = Int(buffer[2]) << 8 | Int(buffer[3])
                header = 4
            } else if length == 127 {
                guard buffer.count >= 10 else { return }
                length = (2..<10).reduce(0) { $0 << 8 | Int(buffer[$1]) }
                header = 10
            }
            guard buffer.count >= header + length else { return }
            let payload = Array(buffer[header..<(header + length)])
            buffer.removeFirst(header + length)
            if opcode != 0 { messageOpcode = opcode }
            message += payload
            if fin {
                handler(messageOpcode, message)
                message = []
            }
        }
    }
}
