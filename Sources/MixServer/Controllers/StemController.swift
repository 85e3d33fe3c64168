import Foundation
import Hummingbird
import MixEngine
import MixJobs
import NIOCore
import Synchronization

/// Uploading, listing, changing and deleting a session's stems.
struct StemController<Context: RequestContext> {
    let services: MixServices

    func addRoutes(to router: some RouterMethods<Context>) {
        router.put("/api/sessions/:session_id/stems", use: upload)
        router.get("/api/sessions/:session_id/stems", use: list)
        router.patch("/api/sessions/:session_id/stems/:stem_id", use: change)
        router.delete("/api/sessions/:session_id/stems/:stem_id", use: delete)
    }

    /// `PUT …/stems?name=<file name>`: the body, streamed to disk as it arrives (never held whole),
    /// checked as `inspect` checks a file, then stored under a new id. A bad file: 422 naming it
    /// and the reason; too large: 413; either way nothing is left behind.
    @Sendable func upload(_ request: Request, context: Context) async throws -> EditedResponse<StemResponse> {
        let session = try await services.authorizedSession(request, id: try context.parameters.require("session_id"))
        guard let rawName = request.uri.queryParameters.get("name"), !rawName.isEmpty else {
            throw APIError.invalid("name", "the stem's file name is required: PUT …/stems?name=<file name>")
        }
        let name = StemName.displayName(rawName)
        guard rawName.utf8.count <= StemName.maximumByteCount else {
            throw APIError.invalid("name", "\(name): a file name is at most \(StemName.maximumByteCount) bytes")
        }
        let limit = services.configuration.maxUploadBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError(.contentTooLarge, code: "too_large", message: "\(name): \(length) bytes; the limit is \(limit)")
        }
        let stemID = SessionToken.newID()
        let upload = services.files.uploadURL(session.id, stemID)
        try FileManager.default.createDirectory(at: upload.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Removed on every way out unless it becomes the stem.
        var keep = false
        defer { if !keep { try? FileManager.default.removeItem(at: upload) } }
        let counter = ByteCounter(limit: limit)
        let metrics = services.metrics
        do {
            let limited = request.body.map { buffer throws -> ByteBuffer in
                metrics.received(uploadBytes: buffer.readableBytes)
                try counter.add(buffer.readableBytes)
                return buffer
            }
            try await FileIO().writeFile(contents: limited, path: upload.path, context: context)
        } catch is UploadTooLarge {
            throw APIError(.contentTooLarge, code: "too_large", message: "\(name): larger than the \(limit)-byte limit")
        } catch {
            // A client that went away mid-body is the client's doing, not a server fault.
            if let length = request.headers[.contentLength].flatMap(Int.init), counter.received < length {
                throw APIError(
                    .badRequest, code: "upload_interrupted",
                    message: "\(name): the upload ended after \(counter.received) of its \(length) bytes")
            }
            throw error
        }
        let report = await Self.scan(upload, name: name)
        if let reason = report.rejection?.reason {
            throw APIError.invalid("body", "\(name): \(reason)")
        }
        let stored = services.files.stemURL(session.id, stemID)
        try FileManager.default.moveItem(at: upload, to: stored)
        keep = true
        var record = StemRecord(id: stemID, sessionID: session.id, report: report, createdAt: Date())
        do {
            try await services.store.insert(record)
        } catch {
            try? FileManager.default.removeItem(at: stored)
            throw error
        }
        try await assignRoles(sessionID: session.id)
        record = try await services.store.stem(id: stemID, sessionID: session.id) ?? record
        return EditedResponse(status: .created, response: StemResponse(record))
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> StemListResponse {
        let session = try await services.authorizedSession(request, id: try context.parameters.require("session_id"))
        return StemListResponse(stems: try await services.store.stems(sessionID: session.id).map(StemResponse.init))
    }

    /// `PATCH …/stems/{stem_id}` `{role?, gain_db?, muted?}`.
    @Sendable func change(_ request: Request, context: Context) async throws -> StemResponse {
        let session = try await services.authorizedSession(request, id: try context.parameters.require("session_id"))
        let stemID = try context.parameters.require("stem_id")
        guard var stem = try await services.store.stem(id: stemID, sessionID: session.id) else { throw APIError.notFound("stem \(stemID)") }
        let change: StemChange
        do {
            let body = try await request.body.collect(upTo: 64 * 1024)
            change = try JSONDecoder().decode(StemChange.self, from: Data(body.readableBytesView))
        } catch let error as DecodingError {
            throw APIError.invalid(Self.field(of: error) ?? "body", "expected {\"role\"?, \"gain_db\"?, \"muted\"?}")
        }
        if let roleName = change.role {
            guard let role = Role(rawValue: roleName) else {
                throw APIError.invalid("role", "no role '\(roleName)'; roles are \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            stem.role = role
            stem.roleSource = .user
        }
        if let gain = change.gainDB {
            guard gain.isFinite, (-60...24).contains(gain) else { throw APIError.invalid("gain_db", "must be between -60 and 24 dB (got \(gain))") }
            stem.gainDB = gain
        }
        if let muted = change.muted { stem.muted = muted }
        try await services.store.update([stem])
        if change.role != nil { try await assignRoles(sessionID: session.id) }
        return StemResponse(try await services.store.stem(id: stemID, sessionID: session.id) ?? stem)
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        let session = try await services.authorizedSession(request, id: try context.parameters.require("session_id"))
        let stemID = try context.parameters.require("stem_id")
        guard try await services.store.deleteStem(id: stemID, sessionID: session.id) else { throw APIError.notFound("stem \(stemID)") }
        try? FileManager.default.removeItem(at: services.files.stemURL(session.id, stemID))
        try await assignRoles(sessionID: session.id)
        return Response(status: .noContent)
    }

    /// Re-decides the roles of the stems the user has not set, the way `inspect` does for a
    /// folder: names first, then the content, with the session's other stems in view.
    private func assignRoles(sessionID: String) async throws {
        let stems = try await services.store.stems(sessionID: sessionID)
        // A role the user set stays (`settle` keeps it); the others are decided again.
        let settled = SessionInspector().settle(stems.map { $0.report(url: services.files.stemURL(sessionID, $0.id)) })
        var changed: [StemRecord] = []
        for var stem in stems {
            guard let report = settled.stems.first(where: { $0.id == stem.id }) else { continue }
            if report.role.role != stem.role || report.role.source != stem.roleSource {
                stem.role = report.role.role
                stem.roleSource = report.role.source
                changed.append(stem)
            }
        }
        if !changed.isEmpty { try await services.store.update(changed) }
    }

    /// Scans the upload off the server's event loops (a long file takes a while).
    private static func scan(_ url: URL, name: String) async -> StemReport {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                // The engine's loudness meter, as `mixdown mix` measures a folder's stems: the same
                // stems give the same match gains, and the same bytes, through either door.
                continuation.resume(
                    returning: StemScanner.scan(url: url, displayName: name, analysis: .featuresAndPitch, loudnessMeter: .engine))
            }
        }
    }

    private static func field(of error: DecodingError) -> String? {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return context.codingPath.last?.stringValue
        case .keyNotFound(let key, _):
            return key.stringValue
        @unknown default:
            return nil
        }
    }
}

/// `PATCH …/stems/{stem_id}`'s body.
struct StemChange: Decodable {
    var role: String?
    var gainDB: Double?
    var muted: Bool?

    enum CodingKeys: String, CodingKey {
        case role, muted
        case gainDB = "gain_db"
    }
}

/// Thrown while an upload streams in once it passes the limit.
struct UploadTooLarge: Error {}

/// Counts an upload's bytes as they arrive.
final class ByteCounter: Sendable {
    private let count = Mutex(0)
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    func add(_ bytes: Int) throws {
        let total = count.withLock { count in
            count += bytes
            return count
        }
        if total > limit { throw UploadTooLarge() }
    }

    /// Bytes received so far.
    var received: Int { count.withLock { $0 } }
}
