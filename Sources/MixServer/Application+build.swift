import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import MixEngine
import MixJobs
import ServiceLifecycle
import UnixSignals

/// The service as one `Service`: the HTTP server (routes, status and realtime sockets) and the
/// worker pool, run in one `ServiceGroup`. On graceful shutdown the pool stops first (it lets
/// running renders finish within the grace, then stops the rest), the sockets are told and
/// closed, and then the server closes every connection still open by the grace's end.
public struct MixdownService: Service {
    let application: Application<RouterResponder<BasicRequestContext>>
    let pool: WorkerPool
    let services: MixServices

    public func run() async throws {
        // Shut down in reverse order: the pool, then the server.
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: application), .init(service: pool)], logger: services.logger))
        try await group.run()
    }
}

/// Builds the service, as `mixdown serve` runs it and the tests start it: the store opened and
/// recovered, files a stopped process left behind tidied, the worker pool ready, the routes and
/// the sockets in place. `onServerRunning` gets the port the server listens on.
public func buildService(
    _ configuration: ServerConfiguration, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> MixdownService {
    var logger = Logger(label: "mixdown")
    logger.logLevel = .info
    let connections = ConnectionRegistry()
    let (services, pool) = try await MixServices.open(configuration, connections: connections, logger: logger)
    let routers = try buildRouters(services)
    let sockets = SocketRoutes(routes: routers.sockets, connections: connections)
    let server = HTTPServerBuilder { responder in
        ServiceChannel(
            inner: HTTP1WebSocketUpgradeChannel(
                responder: responder,
                configuration: .init(
                    http1: .init(additionalChannelHandlers: [RefusedUpgradeHandler(connections: connections)]),
                    ws: .init(maxFrameSize: ServiceRouters.maxWebSocketFrameBytes, closeTimeout: ServiceRouters.closeReplyTimeout)),
                shouldUpgrade: { head, channel, logger in await sockets.shouldUpgrade(head, channel: channel, logger: logger) }),
            connections: connections)
    }
    let application = Application(
        router: routers.http, server: server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "mixdown"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
    return MixdownService(application: application, pool: pool, services: services)
}

/// The service's HTTP router, its socket routes and the catalog of every route they were given.
struct ServiceRouters {
    /// A status message with every track's spectrum and three scopes runs to tens of KB; it
    /// goes out in frames of at most this size (and nothing larger is accepted).
    static let maxWebSocketFrameBytes = 1 << 16
    /// How long a client has to answer a socket's close before the connection is dropped.
    static let closeReplyTimeout = Duration.seconds(5)

    let http: Router<BasicRequestContext>
    let sockets: [SocketRoutes.Route]
    let catalog: RouteCatalog
}

/// Every route (the README's table, `openapi.json`).
func buildRouters(_ services: MixServices) throws -> ServiceRouters {
    let catalog = RouteCatalog()
    let http = Router(context: BasicRequestContext.self)
    let routes = CatalogedRouter(router: http, catalog: catalog)
    routes.add(middleware: APIErrorMiddleware())
    routes.get("/health") { _, _ in ["status": "ok"] }
    routes.get("/metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: try await services.metrics.exposition(store: services.store))))
    }
    routes.get("/openapi.json") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try OpenAPIDocument.bytes())))
    }
    try PageController().addRoutes(to: routes)
    SessionController(services: services).addRoutes(to: routes)
    RecipeController(services: services).addRoutes(to: routes)
    StemController(services: services).addRoutes(to: routes)
    JobController(services: services).addRoutes(to: routes)
    let status = StatusSocketController(services: services)
    let realtime = RealtimeSocketController(services: services)
    // A socket's path on the HTTP router answers what was not upgraded (426, or the refusal).
    status.addFallbackRoutes(to: routes)
    realtime.addFallbackRoutes(to: routes)
    return ServiceRouters(http: http, sockets: [status.socketRoute, realtime.socketRoute], catalog: catalog)
}

/// Builds the service and runs it until SIGTERM or SIGINT (graceful shutdown).
public func runServer(
    _ configuration: ServerConfiguration, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws {
    let service = try await buildService(configuration, onServerRunning: onServerRunning)
    let group = ServiceGroup(
        configuration: .init(
            services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: service.services.logger))
    try await group.run()
}
