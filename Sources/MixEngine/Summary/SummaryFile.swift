import Foundation

/// Writes a summary as JSON (sorted keys, so the same mix gives the same bytes), under a
/// temporary name renamed into place.
public enum SummaryFile {
    public static func encode(_ summary: MixSummary, pretty: Bool = true) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(summary)
    }

    /// Writes `summary` under a temporary name beside `url`; `commit()` moves it into place.
    static func prepare(_ summary: MixSummary, for url: URL) throws -> PendingFile {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial")
        do {
            try encode(summary).write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw MixError.io("cannot write \(url.lastPathComponent): \(error.localizedDescription)")
        }
        return PendingFile(temporary: temporary, url: url)
    }
}

/// A file written under a temporary name, put in place by `commit()` or removed when dropped.
final class PendingFile {
    let temporary: URL
    let url: URL
    private var committed = false

    init(temporary: URL, url: URL) {
        self.temporary = temporary
        self.url = url
    }

    deinit {
        if !committed { try? FileManager.default.removeItem(at: temporary) }
    }

    func commit() throws {
        committed = true
        guard rename(temporary.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw MixError.io("cannot write \(url.lastPathComponent): rename failed (\(String(cString: strerror(errno))))")
        }
    }
}
