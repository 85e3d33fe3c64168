import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOWebSocket

/// `WS /ws/mix/realtime/{job_id}?token=&fps=&channels=&encoding=&from=`: the high-rate stream of a
/// job's meter frames, live while it renders, then replayed in step with the client's player
/// (`RealtimeStream`; the format in `docs/realtime-stream.md`).
struct RealtimeSocketController {
    static let path: RouterPath = "/ws/mix/realtime/:job_id"
    /// A client that takes longer than this to take one message is gone or stuck.
    static let writeDeadline = Duration.seconds(10)

    let services: MixServices

    /// The socket route: the token and every parameter are checked before the upgrade.
    var socketRoute: SocketRoutes.Route {
        SocketRoutes.Route(
            path: "/ws/mix/realtime/{job_id}",
            check: { request, jobID in
                _ = try await services.authorizedJob(request, id: jobID)
                _ = try RealtimeRequest(request)
            },
            run: { socket in
                let writer = SocketWriter(
                    outbound: socket.outbound, channel: socket.channel, maxFrameBytes: ServiceRouters.maxWebSocketFrameBytes,
                    deadline: Self.writeDeadline)
                let stream = RealtimeStream(
                    jobID: socket.jobID, request: try RealtimeRequest(socket.request), services: services, writer: writer)
                services.metrics.socketOpened()
                defer { services.metrics.socketClosed() }
                try await SocketSession.run(inbound: socket.inbound, writer: writer, receive: { stream.received($0) }) {
                    try await stream.run(logger: socket.logger)
                }
            })
    }

    /// The same path on the HTTP router, for requests that were not upgraded: the refusal as JSON
    /// (401 without a token, 404 for another session's or an unknown job, 400 naming a bad
    /// parameter), or 426 for a plain GET.
    func addFallbackRoutes(to router: some RouterMethods<BasicRequestContext>) {
        router.get(Self.path) { request, context -> Response in
            _ = try await services.authorizedJob(request, id: try context.parameters.require("job_id"))
            _ = try RealtimeRequest(request)
            throw APIError.upgradeRequired(request)
        }
    }
}
