import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore

/// The service's WebSocket routes, decided before the upgrade: a request is checked (the
/// session's token, the parameters) and either upgraded, or refused with the service's JSON
/// error (written by `RefusedUpgradeHandler` in place of the HTTP server's empty 400).
struct SocketRoutes: Sendable {
    /// One socket route: `/ws/…/{job_id}`.
    struct Route: Sendable {
        /// The path as OpenAPI writes it.
        let path: String
        /// Checks a request for `jobID`; throws the refusal.
        let check: @Sendable (_ request: Request, _ jobID: String) async throws -> Void
        /// Runs an upgraded socket.
        let run: @Sendable (_ socket: Socket) async throws -> Void

        /// The part of the path before `{job_id}`.
        var prefix: String { String(path.prefix(while: { $0 != "{" })) }
    }

    /// An upgraded socket, with what its route needs.
    struct Socket: Sendable {
        let jobID: String
        let request: Request
        let inbound: WebSocketInboundStream
        let outbound: WebSocketOutboundWriter
        let channel: any Channel
        let logger: Logger
    }

    let routes: [Route]
    let connections: ConnectionRegistry

    /// The decision on an upgrade request.
    func shouldUpgrade(_ head: HTTPRequest, channel: any Channel, logger: Logger) async
        -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>>
    {
        let request = Request(head: head, body: .init(buffer: .init()))
        let path = request.uri.path
        guard let route = routes.first(where: { path.hasPrefix($0.prefix) }),
            case let jobID = String(path.dropFirst(route.prefix.count)), !jobID.isEmpty, !jobID.contains("/")
        else {
            refuse(channel, APIError(.notFound, code: "not_found", message: "no WebSocket at \(path)"), logger: logger)
            return .dontUpgrade
        }
        do {
            try await route.check(request, jobID)
        } catch {
            refuse(channel, error, logger: logger)
            return .dontUpgrade
        }
        return .upgrade([:]) { [connections] inbound, outbound, context in
            connections.upgraded(channel)
            try await Self.limitSendBuffers(channel)
            try await route.run(
                Socket(jobID: jobID, request: request, inbound: inbound, outbound: outbound, channel: channel, logger: context.logger))
        }
    }

    /// Unsent bytes a socket may hold, in the kernel and in NIO each. A meter frame is worthless
    /// once a newer one exists: with little room for what the client has not taken, a slow
    /// client's writes wait (and the stream skips to the newest frame) instead of a backlog of
    /// old frames piling up in the kernel (TCP_NOTSENT_LOWAT; Linux's default lets megabytes wait).
    static let unsentBytesLimit = 8 * 1024

    private static func limitSendBuffers(_ channel: any Channel) async throws {
        try await channel.setOption(
            ChannelOptions.writeBufferWaterMark, value: .init(low: unsentBytesLimit / 2, high: unsentBytesLimit)).get()
        #if os(Linux)
        let notSentLowWatermark = ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: 25))  // TCP_NOTSENT_LOWAT
        try await channel.setOption(notSentLowWatermark, value: SocketOptionValue(unsentBytesLimit)).get()
        #endif
    }

    private func refuse(_ channel: any Channel, _ error: any Error, logger: Logger) {
        let apiError: APIError
        if let error = error as? APIError {
            apiError = error
        } else {
            logger.error("unexpected error deciding a WebSocket upgrade", metadata: ["error": "\(error)"])
            apiError = APIError(.internalServerError, code: "internal", message: "something went wrong on the server")
        }
        connections.refuse(channel, with: .init(status: apiError.status, body: ByteBuffer(bytes: apiError.bodyBytes())))
    }
}
