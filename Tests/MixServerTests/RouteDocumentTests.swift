import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
@testable import MixServer
import MixTesting
import NIOCore
import Testing

@Suite("openapi.json against the routers' own routes")
struct RouteDocumentTests {
    /// The routes as the routers were given them.
    static func catalogRoutes(_ folder: TemporaryDirectory) async throws -> Set<RouteCatalog.Route> {
        let (services, _) = try await MixServices.open(
            ServerTest.configuration(folder), connections: ConnectionRegistry(), logger: Logger(label: "test"))
        return try buildRouters(services).catalog.routes
    }

    /// The (method, path) pairs a document lists.
    static func documentRoutes(_ data: Data) throws -> Set<RouteCatalog.Route> {
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]
        return Set(paths.flatMap { path, operations in
            operations.keys.filter(methods.contains).map { RouteCatalog.Route(method: $0.uppercased(), path: path) }
        })
    }

    @Test("every route is documented and every documented route exists; the served document is the bundled one")
    func documentMatchesRouters() async throws {
        let folder = try TemporaryDirectory()
        let routes = try await Self.catalogRoutes(folder)
        #expect(routes.count >= 18)
        #expect(routes.contains(.init(method: "GET", path: "/ws/mix/status/{job_id}")))
        #expect(routes.contains(.init(method: "GET", path: "/ws/mix/realtime/{job_id}")))
        try await LiveServer.run(ServerTest.configuration(folder)) { client in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(response.status == .ok)
            let served = Data(Array(response.body.readableBytesView))
            #expect(served == (try Data(contentsOf: OpenAPIDocument.url())))
            let documented = try Self.documentRoutes(served)
            let undocumented = routes.subtracting(documented).map(\.description).sorted()
            let missing = documented.subtracting(routes).map(\.description).sorted()
            #expect(undocumented.isEmpty, "routes missing from openapi.json: \(undocumented)")
            #expect(missing.isEmpty, "openapi.json lists routes the routers do not have: \(missing)")
        }
    }

    @Test("every path parameter of every documented route is declared")
    func pathParametersDeclared() throws {
        let data = try Data(contentsOf: OpenAPIDocument.url())
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let components = (document["components"] as? [String: Any])?["parameters"] as? [String: [String: Any]] ?? [:]
        for (path, operations) in try #require(document["paths"] as? [String: [String: Any]]) {
            let placeholders = Set(path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) })
            for (method, operation) in operations {
                let parameters = ((operation as? [String: Any])?["parameters"] as? [[String: Any]] ?? []).map { parameter -> [String: Any] in
                    guard let reference = parameter["$ref"] as? String else { return parameter }
                    return components[String(reference.split(separator: "/").last!)] ?? [:]
                }
                let declared = Set(parameters.filter { $0["in"] as? String == "path" }.compactMap { $0["name"] as? String })
                #expect(declared == placeholders, "\(method.uppercased()) \(path): declares \(declared), path has \(placeholders)")
            }
        }
    }
}
