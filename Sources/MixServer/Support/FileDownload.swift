import Foundation
import Hummingbird

/// A file as a response, with `Range: bytes=a-b` support so a browser can seek in a mix.
enum FileDownload {
    static func response(for request: Request, url: URL, contentType: String, context: some RequestContext) async throws -> Response {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil else {
            throw APIError.notFound("file (it was removed)")
        }
        var headers: HTTPFields = [.contentType: contentType, .acceptRanges: "bytes"]
        if let header = request.headers[.range] {
            guard let range = byteRange(header, size: size) else {
                headers[.contentRange] = "bytes */\(size)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            }
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            headers[.contentLength] = String(range.count)
            let body = try await FileIO().loadFile(path: url.path, range: range, context: context)
            return Response(status: .partialContent, headers: headers, body: body)
        }
        headers[.contentLength] = String(size)
        return Response(status: .ok, headers: headers, body: try await FileIO().loadFile(path: url.path, context: context))
    }

    /// One range of `bytes=first-last`, `bytes=first-` or `bytes=-suffix`, within `size`; nil
    /// when it cannot be satisfied (or asks for several ranges).
    static func byteRange(_ header: String, size: Int) -> ClosedRange<Int>? {
        guard size > 0, header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let spec = header.dropFirst("bytes=".count)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else { return nil }
        if parts[0].isEmpty {
            guard let suffix = Int(parts[1]), suffix > 0 else { return nil }
            return max(0, size - suffix)...(size - 1)
        }
        guard let first = Int(parts[0]), first < size else { return nil }
        let last = parts[1].isEmpty ? size - 1 : min(size - 1, Int(parts[1]) ?? -1)
        return last >= first ? first...last : nil
    }
}
