import Foundation
import HTTPTypes
import NIOCore
import Synchronization

/// Every open connection of the server, so a shutdown can close what would otherwise hold the
/// process (an idle keep-alive connection, a connection that never sent a request, a slow
/// download), and the refusals of WebSocket upgrades waiting to be written in place of the
/// HTTP server's empty 400 (`RefusedUpgradeHandler`).
final class ConnectionRegistry: Sendable {
    private struct Entry {
        let channel: any Channel
        var sentBytes = false
        var isSocket = false
    }

    /// A refused upgrade's answer: the status and the JSON error body.
    struct Refusal: Sendable {
        let status: HTTPResponse.Status
        let body: ByteBuffer
    }

    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])
    private let refusals = Mutex<[ObjectIdentifier: Refusal]>([:])

    /// Open connections now.
    var count: Int { entries.withLock { $0.count } }

    /// A connection was accepted; it is forgotten when it closes.
    func opened(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        entries.withLock { $0[key] = Entry(channel: channel) }
        channel.closeFuture.whenComplete { [weak self] _ in
            self?.entries.withLock { _ = $0.removeValue(forKey: key) }
            self?.refusals.withLock { _ = $0.removeValue(forKey: key) }
        }
    }

    /// The connection sent its first bytes.
    func sentBytes(_ channel: any Channel) {
        entries.withLock { $0[ObjectIdentifier(channel)]?.sentBytes = true }
    }

    /// The connection became a WebSocket.
    func upgraded(_ channel: any Channel) {
        entries.withLock { $0[ObjectIdentifier(channel)]?.isSocket = true }
    }

    /// Keeps the answer to a refused upgrade on `channel`, for `RefusedUpgradeHandler`.
    func refuse(_ channel: any Channel, with refusal: Refusal) {
        refusals.withLock { $0[ObjectIdentifier(channel)] = refusal }
    }

    /// The answer to the refused upgrade on `channel`, once.
    func takeRefusal(_ channel: any Channel) -> Refusal? {
        refusals.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Waits until every WebSocket has closed, or `deadline` (polling: this runs once, at shutdown).
    func waitForSockets(until deadline: ContinuousClock.Instant) async {
        while entries.withLock({ $0.values.contains(where: \.isSocket) }), ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Closes the connections that never sent a byte (the server's own shutdown cannot see them:
    /// nothing is in their pipeline yet).
    func closeSilent() {
        for channel in entries.withLock({ $0.values.filter { !$0.sentBytes }.map(\.channel) }) {
            channel.close(promise: nil)
        }
    }

    /// Closes every connection still open (but the WebSockets, with `keepingSockets`).
    func closeAll(keepingSockets: Bool = false) {
        for channel in entries.withLock({ $0.values.filter { !(keepingSockets && $0.isSocket) }.map(\.channel) }) {
            channel.close(promise: nil)
        }
    }
}

/// Marks a connection's first bytes in the registry, then leaves the pipeline.
final class FirstBytesHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let connections: ConnectionRegistry

    init(connections: ConnectionRegistry) {
        self.connections = connections
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        connections.sentBytes(context.channel)
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
