import Foundation

/// Writes a summary as JSON (sorted keys, so the same mix gives the same bytes), under a
/// temporary name renamed into place.
public enum SummaryFile {
    public static func encode(_ summary: MixSummary, pretty: Bool = true) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(summary)
    }

    static func write(_ summary: MixSummary, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial")
        do {
            try encode(summary).write(to: temporary)
        } catch {
            throw MixError.io("cannot write \(url.lastPathComponent): \(error.localizedDescription)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw MixError.io("cannot write \(url.lastPathComponent): rename failed (errno \(errno))")
        }
    }
}
