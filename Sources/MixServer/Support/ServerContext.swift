import Foundation
import Hummingbird
import Logging
import MixEngine
import MixJobs

/// What the routes share: the store, the files, the worker pool, the presets, the live board
/// of the jobs being watched or rendered, the metrics, the open connections and the limits.
struct MixServices: Sendable {
    let store: MixStore
    let files: SessionFiles
    let pool: WorkerPool
    let library: PresetLibrary
    let board: LiveBoard
    let metrics: ServiceMetrics
    let connections: ConnectionRegistry
    /// Decoded chunks of frame files, shared by the replays (at most 32: about 12 MB at 60 fps).
    let frameChunks = FrameChunkCache(capacity: 32)
    let configuration: ServerConfiguration
    let logger: Logger

    /// How long a socket has, once the renders have stopped, to send its last message and close.
    static let socketFarewell = Duration.seconds(2)

    /// Opens the store, fails the jobs a stopped process left running, removes what it left
    /// half-made (uploads, partial mixes, the folders of jobs that did not complete), and makes
    /// the worker pool.
    static func open(
        _ configuration: ServerConfiguration, connections: ConnectionRegistry, logger: Logger
    ) async throws -> (MixServices, WorkerPool) {
        let store = try MixStore(directory: configuration.dataDirectory)
        let files = SessionFiles(root: configuration.dataDirectory)
        // Before anything is served: the pool does this too when it starts, but that races the
        // first requests, which would see a dead render as still running.
        let interrupted = try await store.failInterruptedJobs()
        if !interrupted.isEmpty { logger.info("\(interrupted.count) job(s) a stopped process left running failed, saying why") }
        let states = try await store.jobStates()
        let removed = files.removeLeftovers(isComplete: { states[$0] == .complete })
        if removed > 0 { logger.info("removed \(removed) file(s) or folder(s) a stopped process left half-made") }
        let library = try PresetLibrary.load()
        let board = LiveBoard()
        let metrics = ServiceMetrics()
        let hooks = WorkerPool.Hooks(
            changed: { board.changed($0) },
            ended: { metrics.jobEnded($0, after: $1) },
            completed: { job in
                // Only a job the store has as complete becomes the session's newest mix (a cancel
                // that raced the render's end leaves the session's newest as it was).
                do {
                    let options = try JobOptions.decode(job.optionsJSON)
                    try files.publishAsNewest(job.sessionID, jobID: job.id, format: options.format)
                } catch {
                    logger.error("the session's newest mix could not be updated", metadata: ["job": "\(job.id)", "error": "\(error)"])
                }
            },
            discard: { files.discardJob($0.sessionID, jobID: $0.id) },
            drained: { deadline in
                // Every socket says why and closes (1001), given a moment for its last message
                // to get out, before the server's own shutdown closes what is left; connections
                // that never sent a request close now; HTTP connections still open at the grace's
                // end (a slow download) are closed then.
                board.shutDown()
                connections.closeSilent()
                let farewell = ContinuousClock.now.advanced(by: Self.socketFarewell)
                Task {
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    connections.closeAll(keepingSockets: true)
                    // A socket whose client stopped reading cannot even take its close frame.
                    try? await Task.sleep(until: max(deadline, farewell), clock: .continuous)
                    connections.closeAll()
                }
                await connections.waitForSockets(until: farewell)
            })
        let pool = WorkerPool(
            store: store, workerCount: configuration.workers, shutdownGrace: configuration.shutdownGrace, hooks: hooks
        ) { job, context in
            try MixJobWork.render(job, store: store, files: files, library: library, board: board, metrics: metrics, context: context)
        }
        let services = MixServices(
            store: store, files: files, pool: pool, library: library, board: board, metrics: metrics, connections: connections,
            configuration: configuration, logger: logger)
        return (services, pool)
    }

    /// The session named in the path, when the request carries its token (`Authorization:
    /// Bearer …`, or `?token=` for sockets). No token: 401. Another session's token, or no such
    /// session: 404, so ids cannot be probed.
    func authorizedSession(_ request: Request, id sessionID: String) async throws -> SessionRecord {
        let token = try Self.token(request)
        guard let session = try await store.session(id: sessionID), SessionToken.matches(token, storedHash: session.tokenHash) else {
            throw APIError.notFound("session \(sessionID)")
        }
        return session
    }

    /// The job named in the path, when the request carries its session's token.
    func authorizedJob(_ request: Request, id jobID: String) async throws -> JobRecord {
        let token = try Self.token(request)
        guard let job = try await store.job(id: jobID), let session = try await store.session(id: job.sessionID),
            SessionToken.matches(token, storedHash: session.tokenHash)
        else { throw APIError.notFound("job \(jobID)") }
        return job
    }

    static func token(_ request: Request) throws -> String {
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            return String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        }
        if let token = request.uri.queryParameters.get("token"), !token.isEmpty { return token }
        throw APIError(
            .unauthorized, code: "unauthorized",
            message: "this route needs the session's token: Authorization: Bearer <token> (or ?token= for sockets)")
    }

    /// Where a job's files are.
    func destination(of job: JobRecord) throws -> MixRenderer.Destination {
        files.destination(job.sessionID, jobID: job.id, format: try JobOptions.decode(job.optionsJSON).format)
    }
}
