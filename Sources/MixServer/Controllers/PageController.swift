import Foundation
import Hummingbird
import NIOCore

/// The web page: `/` and its files under `/web/`, from the resources built into the service
/// (plain HTML, CSS and ES modules; no build step, nothing fetched from elsewhere). Read once at
/// start-up; a file the page does not have is a 404, whatever the path says.
struct PageController<Context: RequestContext> {
    /// One file of the page.
    struct File: Sendable {
        let contentType: String
        let body: ByteBuffer
        let etag: String
    }

    let files: [String: File]

    init() throws {
        guard let root = Bundle.module.url(forResource: "web", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "the web page is missing from the MixServer bundle"])
        }
        var files: [String: File] = [:]
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = walker?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            let data = try Data(contentsOf: url)
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a: enough to tell versions apart
            for byte in data { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            files[relative] = File(
                contentType: Self.contentType(url.pathExtension), body: ByteBuffer(bytes: data), etag: "\"\(String(hash, radix: 16))\"")
        }
        self.files = files
    }

    static func contentType(_ fileExtension: String) -> String {
        switch fileExtension {
        case "html": return "text/html; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "js": return "text/javascript; charset=utf-8"
        case "svg": return "image/svg+xml"
        default: return "application/octet-stream"
        }
    }

    func addRoutes(to router: some RouterMethods<Context>) {
        router.get("/") { request, _ in try serve("index.html", request) }
        router.get("/web/:file") { request, context in try serve(try context.parameters.require("file"), request) }
        router.get("/web/js/:file") { request, context in try serve("js/" + (try context.parameters.require("file")), request) }
    }

    private func serve(_ path: String, _ request: Request) throws -> Response {
        guard let file = files[path] else { throw APIError.notFound("page file \(path)") }
        var headers: HTTPFields = [
            .contentType: file.contentType, .eTag: file.etag, .cacheControl: "no-cache",
            .init("X-Content-Type-Options")!: "nosniff",
        ]
        if request.headers[.ifNoneMatch] == file.etag {
            return Response(status: .notModified, headers: headers)
        }
        if path == "index.html" {
            // The page fetches nothing from elsewhere, and says so.
            headers[.init("Content-Security-Policy")!] =
                "default-src 'self'; img-src 'self' data:"
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: file.body))
    }
}
