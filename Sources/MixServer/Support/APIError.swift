import Foundation
import Hummingbird
import Logging
import MixJobs

/// An error as every route answers it: `{"error": {"code", "message", "field"?}}` with the
/// status its kind picks. Unknown errors become a logged 500 that sends no internals.
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public let field: String?

    public init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    struct Body: Encodable {
        struct Details: Encodable {
            let code: String
            let message: String
            let field: String?
        }

        let error: Details
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: bodyBytes())))
    }

    /// `{"error": {"code", "message", "field"?}}`.
    func bodyBytes() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(Body(error: .init(code: code, message: message, field: field)))) ?? Data()
    }

    static func notFound(_ what: String) -> APIError {
        APIError(.notFound, code: "not_found", message: "no \(what)")
    }

    static func invalid(_ field: String, _ message: String) -> APIError {
        APIError(.unprocessableContent, code: "invalid", message: message, field: field)
    }

    /// A query parameter the route cannot take (400, naming it).
    static func badParameter(_ name: String, _ message: String) -> APIError {
        APIError(.badRequest, code: "bad_parameter", message: "\(name): \(message)", field: name)
    }

    /// A socket route asked for without the upgrade that makes it a socket (426). An upgrade that
    /// came as a connection's second request is told to connect again: it is taken only first.
    static func upgradeRequired(_ request: Request) -> APIError {
        let lateUpgrade = request.headers[.upgrade]?.lowercased() == "websocket"
        return APIError(
            .upgradeRequired, code: "upgrade_required",
            message: lateUpgrade
                ? "a WebSocket upgrade is taken only as a connection's first request: connect again"
                : "this is a WebSocket: connect with Upgrade: websocket and ?token=<token>")
    }
}

/// Turns any error a route throws into the JSON error shape; the unexpected ones are logged
/// and answered with a plain 500.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as MixStoreError {
            // The store refused a change: the request conflicts with what is stored (a stem of a
            // session deleted meanwhile), never a server fault.
            switch error {
            case .noSuchJob(let id): return try APIError.notFound("job \(id)").response(from: request, context: context)
            case .noSuchStem(let id): return try APIError.notFound("stem \(id)").response(from: request, context: context)
            case .conflict:
                return try APIError(.conflict, code: "conflict", message: "the change conflicts with what is stored; reload and try again")
                    .response(from: request, context: context)
            }
        } catch let error as HTTPError {
            let code = error.status == .notFound ? "not_found" : "http_\(error.status.code)"
            return try APIError(error.status, code: code, message: error.body ?? error.status.reasonPhrase)
                .response(from: request, context: context)
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return try APIError(.internalServerError, code: "internal", message: "something went wrong on the server")
                .response(from: request, context: context)
        }
    }
}
