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
            try await route.run(
                Socket(jobID: jobID, request: request, inbound: inbound, outbound: outbound, channel: channel, logger: context.logger))
        }
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
