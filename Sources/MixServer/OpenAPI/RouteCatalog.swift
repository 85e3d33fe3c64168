import Hummingbird
import HummingbirdWebSocket
import Synchronization

/// Every route the service registers, as OpenAPI writes them (`GET /api/jobs/{job_id}`):
/// the routers are only ever given routes through `CatalogedRouter`, so this list is the
/// routers' own, and a test holds it against `openapi.json`.
final class RouteCatalog: Sendable {
    struct Route: Hashable, Sendable, CustomStringConvertible {
        let method: String
        let path: String
        var description: String { "\(method) \(path)" }
    }

    private let entries = Mutex<Set<Route>>([])

    var routes: Set<Route> { entries.withLock { $0 } }

    fileprivate func record(_ method: HTTPRequest.Method, _ path: RouterPath) {
        entries.withLock { _ = $0.insert(Route(method: method.rawValue, path: path.description)) }
    }
}

/// A router that writes each route it is given into the catalog before passing it on.
struct CatalogedRouter<Context: RequestContext>: RouterMethods {
    let router: Router<Context>
    let catalog: RouteCatalog

    @discardableResult
    func on<Responder: HTTPResponder>(_ path: RouterPath, method: HTTPRequest.Method, responder: Responder) -> Self
    where Responder.Context == Context {
        catalog.record(method, path)
        router.on(path, method: method, responder: responder)
        return self
    }

    @discardableResult
    func add(middleware: any MiddlewareProtocol<Request, Response, Context>) -> Self {
        router.add(middleware: middleware)
        return self
    }
}
