import Foundation

/// How `mixdown serve` runs: where it listens, where it keeps its data, how many mixes render
/// at once, and the largest upload it takes.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The data folder: `mixdown.sqlite`, `sessions/<id>/stems/`, `storage/mix_outputs/<id>/`.
    public var dataDirectory: URL
    /// Mixes rendered at once.
    public var workers: Int
    /// The largest stem upload, in bytes.
    public var maxUploadBytes: Int

    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: URL = URL(fileURLWithPath: "mixdown-data"),
        workers: Int = ProcessInfo.processInfo.activeProcessorCount, maxUploadBytes: Int = 2 << 30
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.workers = max(1, workers)
        self.maxUploadBytes = maxUploadBytes
    }
}
