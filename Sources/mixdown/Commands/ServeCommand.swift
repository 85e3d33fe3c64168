import ArgumentParser
import Foundation
import MixServer

/// `mixdown serve`: the web page, the HTTP API, the status and realtime sockets over the engine,
/// with its SQLite store in a data folder. Stops gracefully on SIGTERM or Ctrl-C.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the mixing service: the web page, the HTTP API, jobs and their store.",
        discussion: "Sessions, stems and jobs are kept in the data folder (SQLite) and survive a restart."
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port).")
    var port = 8080

    @Option(help: "The data folder: the database, the stems and the mixes.", completion: .directory)
    var data = "mixdown-data"

    @Option(help: "Mixes rendered at once (default: the core count).")
    var workers: Int?

    @Option(help: "The largest stem upload, in MB.")
    var maxUploadMB = 2048

    @Option(help: "On SIGTERM or Ctrl-C: seconds running mixes may take to finish before they are stopped.")
    var shutdownGrace = 30.0

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port \(port): must be 0 to 65535") }
        if let workers, !(1...64).contains(workers) { throw ValidationError("--workers \(workers): must be 1 to 64") }
        guard maxUploadMB >= 1 else { throw ValidationError("--max-upload-mb \(maxUploadMB): must be at least 1") }
        guard shutdownGrace.isFinite, (0...3600).contains(shutdownGrace) else {
            throw ValidationError("--shutdown-grace \(shutdownGrace): must be 0 to 3600 seconds")
        }
    }

    func run() async throws {
        let dataURL = URL(fileURLWithPath: data).standardizedFileURL
        var configuration = ServerConfiguration(
            host: host, port: port, dataDirectory: dataURL, maxUploadBytes: maxUploadMB << 20,
            shutdownGrace: .milliseconds(Int64(shutdownGrace * 1000)))
        if let workers { configuration.workers = workers }
        let host = self.host
        try await runServer(configuration) { port in
            // Written at once, unbuffered: a supervisor or a pipe waits for this line to learn the port.
            let line = "Mixdown is listening on http://\(host):\(port) — open it in a browser  (data: \(dataURL.path); Ctrl-C stops it)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }
}
