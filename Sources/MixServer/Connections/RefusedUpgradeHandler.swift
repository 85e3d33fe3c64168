import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers a refused WebSocket upgrade with the service's JSON error. The HTTP server answers any
/// upgrade it does not take with an empty `400`; on a connection whose upgrade the service
/// refused (`ConnectionRegistry.refuse`), this handler writes the refusal's status and body in
/// its place, so a browser, curl or Python's `websockets` reads why (401, 404, 400 naming the
/// parameter), as the README promises.
final class RefusedUpgradeHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let connections: ConnectionRegistry

    init(connections: ConnectionRegistry) {
        self.connections = connections
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .head(var head) = unwrapOutboundIn(data), let refusal = connections.takeRefusal(context.channel) else {
            context.write(data, promise: promise)
            return
        }
        head.status = refusal.status
        head.headerFields[.contentType] = "application/json; charset=utf-8"
        head.headerFields[.contentLength] = String(refusal.body.readableBytes)
        head.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(refusal.body)), promise: promise)
    }
}
