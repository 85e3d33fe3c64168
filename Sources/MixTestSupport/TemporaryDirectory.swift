import Foundation

/// A fresh folder under the system temp directory, removed when the value is deinitialised.
public final class TemporaryDirectory: Sendable {
    /// The folder.
    public let url: URL

    public init(prefix: String = "mixdown-test") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A path inside the folder.
    public func file(_ name: String) -> URL {
        url.appendingPathComponent(name)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
