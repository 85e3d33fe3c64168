import Foundation

/// The service's OpenAPI 3.1 document (`GET /openapi.json`), written by hand beside the code
/// and held against the routers' catalog by a test.
enum OpenAPIDocument {
    static func url() throws -> URL {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "openapi.json is missing from the MixServer bundle"])
        }
        return url
    }

    static func bytes() throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url()))
    }
}
