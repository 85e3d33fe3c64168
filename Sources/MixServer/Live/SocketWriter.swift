import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// Writes a socket's messages, each from parts (a per-socket prefix and a body shared with other
/// sockets: neither is copied), as one WebSocket message in as many frames as it takes. A client
/// that does not take a message within `deadline` is gone or stuck: its connection is closed
/// (a close frame would queue behind the writes it is not reading).
struct SocketWriter: Sendable {
    let outbound: WebSocketOutboundWriter
    let channel: any Channel
    let maxFrameBytes: Int
    let deadline: Duration

    enum Kind: Sendable {
        case text, binary
    }

    /// Sends `parts` as one message; throws `CancellationError` when the client did not take it in time.
    func send(_ kind: Kind, _ parts: [ByteBuffer]) async throws {
        let frames = Self.frames(kind, parts, maxFrameBytes: maxFrameBytes)
        let written = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for frame in frames { try await outbound.write(.custom(frame)) }
                return true
            }
            group.addTask {
                try await Task.sleep(for: deadline)
                return false
            }
            let written = try await group.next() ?? false
            if !written { channel.close(promise: nil) }
            group.cancelAll()
            return written
        }
        guard written else { throw CancellationError() }
    }

    /// Sends one text message.
    func send(text: String) async throws {
        try await send(.text, [ByteBuffer(string: text)])
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
