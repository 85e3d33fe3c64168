import Foundation
import Hummingbird
import MixEngine
import MixJobs
import NIOCore

/// Starting a mix, following it, cancelling it, and downloading what it made.
struct JobController<Context: RequestContext> {
    let services: MixServices

    func addRoutes(to router: some RouterMethods<Context>) {
        router.post("/api/sessions/:session_id/jobs", use: create)
        router.get("/api/jobs/:job_id", use: show)
        router.get("/api/jobs/:job_id/timeline", use: timeline)
        router.post("/api/jobs/:job_id/cancel", use: cancel)
        router.get("/api/jobs/:job_id/mix", use: mix)
        router.get("/api/jobs/:job_id/frames", use: frames)
        router.get("/api/jobs/:job_id/summary", use: summary)
    }

    /// `POST /api/sessions/{session_id}/jobs` `{recipe?, format?, fps?, basic?, intensity?}` → 202 `{job_id}`.
    @Sendable func create(_ request: Request, context: Context) async throws -> EditedResponse<JobCreatedResponse> {
        let session = try await services.authorizedSession(request, id: try context.parameters.require("session_id"))
        let body = try await request.body.collect(upTo: 64 * 1024)
        let options: JobOptions
        do {
            let fields = body.readableBytes == 0
                ? JobOptions.Request() : try JSONDecoder().decode(JobOptions.Request.self, from: Data(body.readableBytesView))
            options = try JobOptions(fields, library: services.library)
        } catch let error as DecodingError {
            let field: String
            switch error {
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
                field = context.codingPath.last?.stringValue ?? "body"
            default: field = "body"
            }
            throw APIError.invalid(field, "expected {\"recipe\"?, \"format\"?, \"fps\"?, \"basic\"?, \"intensity\"?}")
        }
        guard try await !services.store.stems(sessionID: session.id).isEmpty else {
            throw APIError(.conflict, code: "no_stems", message: "the session has no stems to mix yet")
        }
        let job = JobRecord(id: SessionToken.newID(), sessionID: session.id, optionsJSON: options.json(), createdAt: Date())
        try await services.store.insert(job)
        await services.pool.submit(job.id)
        return EditedResponse(status: .accepted, response: JobCreatedResponse(jobID: job.id))
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> JobResponse {
        JobResponse(try await services.authorizedJob(request, id: try context.parameters.require("job_id")))
    }

    @Sendable func timeline(_ request: Request, context: Context) async throws -> TimelineResponse {
        let job = try await services.authorizedJob(request, id: try context.parameters.require("job_id"))
        return TimelineResponse(jobID: job.id, events: try await services.store.timeline(jobID: job.id))
    }

    /// `POST /api/jobs/{job_id}/cancel`: 200 with the job; 409 when it has already ended.
    @Sendable func cancel(_ request: Request, context: Context) async throws -> JobResponse {
        let job = try await services.authorizedJob(request, id: try context.parameters.require("job_id"))
        do {
            return JobResponse(try await services.pool.cancel(job.id))
        } catch let error as JobTransitionError {
            throw APIError(.conflict, code: "job_ended", message: error.reason)
        }
    }

    @Sendable func mix(_ request: Request, context: Context) async throws -> Response {
        let (_, destination) = try await finishedJob(request, context: context)
        let type = destination.mixURL.pathExtension == "flac" ? "audio/flac" : "audio/wav"
        return try await FileDownload.response(for: request, url: destination.mixURL, contentType: type, context: context)
    }

    @Sendable func frames(_ request: Request, context: Context) async throws -> Response {
        let (_, destination) = try await finishedJob(request, context: context)
        return try await FileDownload.response(
            for: request, url: destination.framesURL, contentType: "application/octet-stream", context: context)
    }

    @Sendable func summary(_ request: Request, context: Context) async throws -> Response {
        let (_, destination) = try await finishedJob(request, context: context)
        return try await FileDownload.response(for: request, url: destination.summaryURL, contentType: "application/json", context: context)
    }

    /// A job whose files can be downloaded (its own, whatever the session did since): complete,
    /// else 409 saying where it is.
    private func finishedJob(_ request: Request, context: Context) async throws -> (JobRecord, MixRenderer.Destination) {
        let job = try await services.authorizedJob(request, id: try context.parameters.require("job_id"))
        guard job.state == .complete else {
            throw APIError(.conflict, code: "not_ready", message: "the job is \(job.state.rawValue); its files come when it is complete")
        }
        return (job, try services.destination(of: job))
    }
}
