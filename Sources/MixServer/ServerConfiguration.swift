import Foundation

/// How `mixdown serve` runs: where it listens, where it keeps its data, how many mixes render
/// at once, the largest upload it takes, and how long a graceful stop waits for renders.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The data folder: `mixdown.sqlite`, `sessions/<id>/stems/`, `storage/mix_outputs/<id>/`.
    public var dataDirectory: URL
    /// Mixes rendered at once.
    public var workers: Int
    /// The largest stem upload, in bytes.
    public var maxUploadBytes: Int
    /// On SIGTERM: how long running renders may go on before they are stopped, and by when every
    /// connection is closed.
    public var shutdownGrace: Duration

    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: URL = URL(fileURLWithPath: "mixdown-data"),
        workers: Int = ProcessInfo.processInfo.activeProcessorCount, maxUploadBytes: Int = 2 << 30,
        shutdownGrace: Duration = .seconds(30)
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.workers = max(1, workers)
        self.maxUploadBytes = maxUploadBytes
        self.shutdownGrace = shutdownGrace
    }
}
