import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import MixEngine
import MixJobs

/// The service, as `mixdown serve` runs it and the tests start it: the store opened and
/// recovered, the worker pool started, the routes and the status sockets in place.
public func buildApplication(
    _ configuration: ServerConfiguration, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    var logger = Logger(label: "mixdown")
    logger.logLevel = .info
    let services = try await MixServices.open(configuration, logger: logger)
    let routers = buildRouters(services)
    return Application(
        router: routers.http,
        server: .http1WebSocketUpgrade(
            webSocketRouter: routers.webSocket,
            configuration: .init(ws: .init(maxFrameSize: ServiceRouters.maxWebSocketFrameBytes))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "mixdown"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}

/// The service's two routers (HTTP, and the one deciding WebSocket upgrades) and the catalog
/// of every route they were given.
struct ServiceRouters {
    /// A status message with every track's spectrum and three scopes runs to tens of KB; it
    /// goes out in frames of at most this size (and nothing larger is accepted).
    static let maxWebSocketFrameBytes = 1 << 16

    let http: Router<BasicRequestContext>
    let webSocket: Router<SocketRequestContext>
    let catalog: RouteCatalog
}

/// Every route (the README's table, `openapi.json`).
func buildRouters(_ services: MixServices) -> ServiceRouters {
    let catalog = RouteCatalog()
    let http = Router(context: BasicRequestContext.self)
    let routes = CatalogedRouter(router: http, catalog: catalog)
    routes.add(middleware: APIErrorMiddleware())
    routes.get("/health") { _, _ in ["status": "ok"] }
    routes.get("/") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: "Mixdown is running. The web page is coming; the API is under /api.\n")))
    }
    routes.get("/metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: try services.metrics.exposition(store: services.store))))
    }
    routes.get("/openapi.json") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try OpenAPIDocument.bytes())))
    }
    SessionController(services: services).addRoutes(to: routes)
    StemController(services: services).addRoutes(to: routes)
    JobController(services: services).addRoutes(to: routes)
    let status = StatusSocketController(services: services)
    status.addFallbackRoutes(to: routes)

    let webSocket = Router(context: SocketRequestContext.self)
    status.addRoutes(to: CatalogedRouter(router: webSocket, catalog: catalog))
    return ServiceRouters(http: http, webSocket: webSocket, catalog: catalog)
}

/// Builds the service and runs it until SIGTERM or SIGINT (graceful shutdown).
public func runServer(
    _ configuration: ServerConfiguration, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws {
    try await buildApplication(configuration, onServerRunning: onServerRunning).runService()
}
