import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The WebSocket router's request context: the basic one, plus the connection's channel, so a
/// socket whose client stopped reading can be closed outright (a close frame would queue
/// behind the writes it is not reading).
struct SocketRequestContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        channel = source.channel
    }
}
