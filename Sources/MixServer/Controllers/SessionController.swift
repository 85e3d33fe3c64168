import Foundation
import Hummingbird
import MixJobs

/// `POST /api/sessions`, `GET /api/sessions/{session_id}`.
struct SessionController<Context: RequestContext> {
    let services: MixServices

    func addRoutes(to router: some RouterMethods<Context>) {
        router.post("/api/sessions", use: create)
        router.get("/api/sessions/:session_id", use: show)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> EditedResponse<SessionCreatedResponse> {
        let id = SessionToken.newID()
        let token = SessionToken.newToken()
        try await services.store.insert(SessionRecord(id: id, tokenHash: SessionToken.hash(token), createdAt: Date()))
        try FileManager.default.createDirectory(at: services.files.stemsDirectory(id), withIntermediateDirectories: true)
        return EditedResponse(status: .created, response: SessionCreatedResponse(sessionID: id, token: token))
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> SessionResponse {
        let session = try await services.authorizedSession(request, id: try context.parameters.require("session_id"))
        return SessionResponse(
            sessionID: session.id, createdAt: session.createdAt,
            stems: try await services.store.stems(sessionID: session.id).map(StemResponse.init),
            jobs: try await services.store.jobs(sessionID: session.id).map(JobResponse.init))
    }
}
