import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore

/// Each connection of the server: HTTP/1.1 with the WebSocket upgrade (Hummingbird's), registered
/// with the connections the service can close on shutdown.
struct ServiceChannel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value

    let inner: HTTP1WebSocketUpgradeChannel
    let connections: ConnectionRegistry

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        connections.opened(channel)
        do {
            try channel.pipeline.syncOperations.addHandler(FirstBytesHandler(connections: connections))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}
