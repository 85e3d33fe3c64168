import Foundation
import Hummingbird
import Logging
import MixEngine
import MixJobs

/// The service, as `mixdown serve` runs it and the tests start it: the store opened and
/// recovered, the worker pool started, the routes in place.
public func buildApplication(
    _ configuration: ServerConfiguration, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    var logger = Logger(label: "mixdown")
    logger.logLevel = .info
    let store = try MixStore(directory: configuration.dataDirectory)
    let files = SessionFiles(root: configuration.dataDirectory)
    let library = try PresetLibrary.load()
    let runner = JobRunner(store: store, workerCount: configuration.workers) { job, context in
        try MixJobWork.render(job, store: store, files: files, library: library, context: context)
    }
    let failed = try await runner.start()
    if !failed.isEmpty { logger.warning("marked \(failed.count) job(s) failed: the service stopped while they ran") }
    let services = MixServices(store: store, files: files, runner: runner, library: library, configuration: configuration)
    let router = buildRouter(services)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "mixdown"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}

/// Every route (the README's table).
func buildRouter(_ services: MixServices) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: APIErrorMiddleware())
    router.get("/health") { _, _ in ["status": "ok"] }
    router.get("/") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: "Mixdown is running. The web page is coming; the API is under /api.\n")))
    }
    SessionController(services: services).addRoutes(to: router)
    StemController(services: services).addRoutes(to: router)
    JobController(services: services).addRoutes(to: router)
    return router
}

/// What a worker does for a job: the session's stems, as stored, mixed with the job's options
/// into the original's layout.
enum MixJobWork {
    static func render(
        _ job: JobRecord, store: MixStore, files: SessionFiles, library: PresetLibrary, context: JobRunner.JobContext
    ) throws {
        let options = try JobOptions.decode(job.optionsJSON)
        let stems = try store.stems(sessionID: job.sessionID)
        let reports = stems.map { $0.report(url: files.stemURL(job.sessionID, $0.id)) }.sorted(by: StemOrder.precedes)
        let inspection = SessionInspection(
            sessionRate: SessionRate.choose(stemRates: reports.compactMap(\.sampleRate)), stems: reports, ignored: [])
        let mixOptions = MixOptions(
            recipeName: options.recipe, recipe: try library.recipe(named: options.recipe), presets: library.rolePresets,
            format: options.format, framesPerSecond: options.fps, basic: options.basic,
            stemGainsDB: Dictionary(stems.map { ($0.name, $0.gainDB) }, uniquingKeysWith: { first, _ in first }),
            mutedStems: Set(stems.filter(\.muted).map(\.name)))
        let destination = files.destination(job.sessionID, format: options.format)
        try FileManager.default.createDirectory(at: files.mixDirectory(job.sessionID), withIntermediateDirectories: true)
        _ = try MixRenderer(options: mixOptions).render(
            inspection, to: destination, progress: context.report, isCancelled: context.isCancelled)
    }
}

/// Builds the service and runs it until SIGTERM or SIGINT (graceful shutdown).
public func runServer(
    _ configuration: ServerConfiguration, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws {
    try await buildApplication(configuration, onServerRunning: onServerRunning).runService()
}
