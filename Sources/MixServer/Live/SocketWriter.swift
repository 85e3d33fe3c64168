import HummingbirdWebSocket
import NIOCore
import NIOWebSocket
import Synchronization

/// Writes a socket's messages, each from parts (a per-socket prefix and a body shared with other
/// sockets: neither is copied), as one WebSocket message in as many frames as it takes. A client
/// that does not take a message within `deadline` is gone or stuck: `watch()` closes its
/// connection (a close frame would queue behind the writes it is not reading).
final class SocketWriter: Sendable {
    let outbound: WebSocketOutboundWriter
    let channel: any Channel
    let maxFrameBytes: Int
    let deadline: Duration
    /// When the write under way began; nil between writes.
    private let writeStartedAt = Mutex<ContinuousClock.Instant?>(nil)

    init(outbound: WebSocketOutboundWriter, channel: any Channel, maxFrameBytes: Int, deadline: Duration) {
        self.outbound = outbound
        self.channel = channel
        self.maxFrameBytes = maxFrameBytes
        self.deadline = deadline
    }

    enum Kind: Sendable {
        case text, binary
    }

    /// Sends `parts` as one message.
    func send(_ kind: Kind, _ parts: [ByteBuffer]) async throws {
        writeStartedAt.withLock { $0 = .now }
        defer { writeStartedAt.withLock { $0 = nil } }
        for frame in Self.frames(kind, parts, maxFrameBytes: maxFrameBytes) {
            try await outbound.write(.custom(frame))
        }
    }

    /// Sends one text message.
    func send(text: String) async throws {
        try await send(.text, [ByteBuffer(string: text)])
    }

    /// Runs beside the socket: checks every second that no write has waited longer than the
    /// deadline, and closes the connection when one has. Returns once it closed it (or when cancelled).
    func watch() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            let stuck = writeStartedAt.withLock { started in started.map { ContinuousClock.now - $0 > deadline } ?? false }
            if stuck {
                channel.close(promise: nil)
                return
            }
        }
    }

    /// The frames of one message: the first with the message's opcode, the rest continuations,
    /// the last marked final; parts longer than a frame are sliced (slices share storage).
    static func frames(_ kind: Kind, _ parts: [ByteBuffer], maxFrameBytes: Int) -> [WebSocketFrame] {
        var slices: [ByteBuffer] = []
        for var part in parts where part.readableBytes > 0 {
            while part.readableBytes > maxFrameBytes { slices.append(part.readSlice(length: maxFrameBytes)!) }
            slices.append(part)
        }
        if slices.isEmpty { slices = [ByteBuffer()] }
        return slices.enumerated().map { index, slice in
            WebSocketFrame(
                fin: index == slices.count - 1, opcode: index == 0 ? (kind == .text ? .text : .binary) : .continuation, data: slice)
        }
    }
}
