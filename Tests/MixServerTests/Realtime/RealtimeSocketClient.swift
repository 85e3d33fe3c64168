import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket
import Synchronization
import Testing

/// What a real WebSocket client (swift-websocket's) read on a job's realtime stream: every text
/// message as JSON, every binary frame's header as a browser would read it, and the close.
final class RealtimeRecording: Sendable {
    struct Frame: Sendable {
        let sequence: UInt32
        let index: Int
        let mediaTimeS: Double
        let sentAtMs: Double
        let receivedAtMs: Double
        let channels: UInt16
        let flags: UInt16
        let byteCount: Int

        var isReplay: Bool { flags & 2 != 0 }
        var isComplete: Bool { flags & 1 != 0 }
    }

    struct Text: @unchecked Sendable {
        let json: [String: Any]
        let receivedAtMs: Double
        var type: String { json["type"] as? String ?? "" }
    }

    private struct State {
        var frames: [Frame] = []
        var texts: [Text] = []
        var closeCode: WebSocketErrorCode?
    }

    private let state = Mutex(State())

    var frames: [Frame] { state.withLock { $0.frames } }
    var texts: [Text] { state.withLock { $0.texts } }
    var closeCode: WebSocketErrorCode? { state.withLock { $0.closeCode } }
    /// JSON frames (`encoding=json`).
    var jsonFrames: [Text] { texts.filter { $0.type == "frame" } }

    static var nowMs: Double { Date().timeIntervalSince1970 * 1000 }

    func add(binary buffer: ByteBuffer) {
        let bytes = Array(buffer.readableBytesView)
        func u16(_ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
        func f64(_ at: Int) -> Double { Double(bitPattern: (0..<8).reduce(0) { $0 | UInt64(bytes[at + $1]) << (8 * $1) }) }
        guard bytes.count >= 40 else {
            Issue.record("a binary message of \(bytes.count) bytes")
            return
        }
        let frame = Frame(
            sequence: u32(8), index: Int(u32(12)), mediaTimeS: f64(16), sentAtMs: f64(24), receivedAtMs: Self.nowMs,
            channels: u16(32), flags: u16(34), byteCount: bytes.count)
        state.withLock { $0.frames.append(frame) }
    }

    func add(text: String) {
        let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
        state.withLock { $0.texts.append(Text(json: json, receivedAtMs: Self.nowMs)) }
    }

    func closed(_ code: WebSocketErrorCode?) {
        state.withLock { $0.closeCode = code }
    }

    /// Waits until `condition` holds (polling), at most `timeout`.
    func wait(for what: String, timeout: Duration = .seconds(60), _ condition: @Sendable (RealtimeRecording) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition(self) {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting for \(what)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// A realtime stream, open: the script sends control messages and reads the recording as it grows.
struct RealtimeConnection: Sendable {
    let outbound: WebSocketOutboundWriter
    let recording: RealtimeRecording

    func send(_ json: String) async throws {
        try await outbound.write(.text(json))
    }
}

enum RealtimeSocketClient {
    /// Opens `/ws/mix/<socket>/{jobID}?token=…&query` (the realtime socket unless told), runs
    /// `script` while recording into `recording`, then closes
    /// (or returns when the server closes first).
    @discardableResult
    static func session(
        port: Int, jobID: String, token: String, query: String = "", socket: String = "realtime",
        recording: RealtimeRecording = RealtimeRecording(), script: @escaping @Sendable (RealtimeConnection) async throws -> Void
    ) async throws -> RealtimeRecording {
        let close = try await WebSocketClient.connect(
            url: "ws://127.0.0.1:\(port)/ws/mix/\(socket)/\(jobID)?token=\(token)\(query.isEmpty ? "" : "&" + query)",
            configuration: .init(maxFrameSize: 1 << 16), logger: Logger(label: "test-realtime")
        ) { inbound, outbound, _ in
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    for try await message in inbound.messages(maxSize: 1 << 24) {
                        switch message {
                        case .binary(let buffer): recording.add(binary: buffer)
                        case .text(let text): recording.add(text: text)
                        }
                    }
                    return true
                }
                group.addTask {
                    try await script(RealtimeConnection(outbound: outbound, recording: recording))
                    try? await outbound.close(.normalClosure, reason: nil)
                    return false
                }
                // The script ends first (its close is answered, which ends the reading), or the
                // server closes first (the script has nothing more to read).
                if try await group.next() == true {
                    group.cancelAll()
                } else {
                    _ = try await group.next()
                }
            }
        }
        recording.closed(close?.closeCode)
        return recording
    }
}

/// Runs blocking work (a raw socket, a polling loop, a signal and wait) on a thread of its own:
/// the cooperative threads are few and shared with the server under test and other tests.
func offPool<Value>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    let handover = await withCheckedContinuation { (continuation: CheckedContinuation<Handover<Value>, Never>) in
        Thread.detachNewThread { continuation.resume(returning: Handover(result: Result { try work() })) }
    }
    return try handover.result.get()
}

/// What a thread hands back (JSON dictionaries are not `Sendable`; they are not shared).
struct Handover<Value>: @unchecked Sendable {
    let result: Result<Value, any Error>
}
