import Foundation
import HummingbirdWebSocket
import NIOWebSocket

/// The life of one socket: the sender runs until it says how to close (or fails); the reader takes
/// the client's messages (and its pings and close) meanwhile, and a client that leaves ends the
/// socket. Closed from this side, swift-websocket waits for the client's answer (its
/// `closeTimeout`, `ServiceRouters.closeReplyTimeout`), so the connection ends cleanly.
enum SocketSession {
    static func run(
        inbound: WebSocketInboundStream, writer: SocketWriter,
        receive: @escaping @Sendable (String) async -> Void,
        send: @escaping @Sendable () async throws -> (WebSocketErrorCode, reason: String?)
    ) async throws {
        let outbound = writer.outbound
        try await withThrowingTaskGroup(of: Bool.self) { group in
            // A client stuck on a write has its connection closed, which ends the other tasks.
            group.addTask {
                await writer.watch()
                return false
            }
            group.addTask {
                for try await message in inbound.messages(maxSize: 1 << 16) {
                    if case .text(let text) = message { await receive(text) }
                }
                return false
            }
            group.addTask {
                let (code, reason) = try await send()
                try await outbound.close(code, reason: reason)
                return true
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }
}
