import Foundation
import Hummingbird
import Logging
import MixEngine
import MixJobs

/// What the routes share: the store, the files, the worker pool, the presets, the live board
/// of running jobs, the metrics and the limits.
struct MixServices: Sendable {
    let store: MixStore
    let files: SessionFiles
    let runner: JobRunner
    let library: PresetLibrary
    let board: JobBoard<MeterFrame>
    let metrics: ServiceMetrics
    let configuration: ServerConfiguration

    /// Opens the store, fails the jobs a stopped process left running (logging how many), and
    /// starts the worker pool.
    static func open(_ configuration: ServerConfiguration, logger: Logger) async throws -> MixServices {
        let store = try MixStore(directory: configuration.dataDirectory)
        let files = SessionFiles(root: configuration.dataDirectory)
        let library = try PresetLibrary.load()
        let board = JobBoard<MeterFrame>()
        let metrics = ServiceMetrics()
        let runner = JobRunner(
            store: store, workerCount: configuration.workers, onChange: { board.changed($0) },
            onEnded: { metrics.jobEnded($0, after: $1) }
        ) { job, context in
            try MixJobWork.render(job, store: store, files: files, library: library, board: board, metrics: metrics, context: context)
        }
        let failed = try await runner.start()
        if !failed.isEmpty { logger.warning("marked \(failed.count) job(s) failed: the service stopped while they ran") }
        return MixServices(
            store: store, files: files, runner: runner, library: library, board: board, metrics: metrics,
            configuration: configuration)
    }

    /// The session named in the path, when the request carries its token (`Authorization:
    /// Bearer …`, or `?token=` for sockets). No token: 401. Another session's token, or no such
    /// session: 404, so ids cannot be probed.
    func authorizedSession(_ request: Request, id sessionID: String) throws -> SessionRecord {
        let token = try Self.token(request)
        guard let session = try store.session(id: sessionID), SessionToken.matches(token, storedHash: session.tokenHash) else {
            throw APIError.notFound("session \(sessionID)")
        }
        return session
    }

    /// The job named in the path, when the request carries its session's token.
    func authorizedJob(_ request: Request, id jobID: String) throws -> JobRecord {
        let token = try Self.token(request)
        guard let job = try store.job(id: jobID), let session = try store.session(id: job.sessionID),
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
}
