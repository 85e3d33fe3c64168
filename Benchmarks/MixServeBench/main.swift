import Foundation
import HummingbirdWSClient
import Logging
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

// The service under load (scripts/bench serve): `mixdown serve` started as a user starts it,
// driven over HTTP and real WebSockets.
//
//   MixServeBench MIXDOWN SESSIONS_DIR UPLOAD_FILE WORK_DIR
//
// 1. Jobs per minute: every session folder in SESSIONS_DIR uploaded to a session of its own,
//    all their jobs started at once, each followed on its status socket to the end; the peer is
//    `mixdown mix` on the same folders one after another.
// 2. Status-socket latency: for every message that carries a new state or progress, the time
//    from the change being stored (`updated_at`) to the message arriving.
// 3. Upload: UPLOAD_FILE PUT as a stem, the server's RSS sampled while it arrives; the peer is
//    a plain copy of the same file on the same disk.

let arguments = CommandLine.arguments
guard arguments.count == 5 else {
    FileHandle.standardError.write(Data("usage: MixServeBench MIXDOWN SESSIONS_DIR UPLOAD_FILE WORK_DIR\n".utf8))
    exit(2)
}
let mixdown = arguments[1]
let sessionsDirectory = URL(fileURLWithPath: arguments[2])
let uploadFile = URL(fileURLWithPath: arguments[3])
let work = URL(fileURLWithPath: arguments[4])
let workers = 2

// MARK: The server

final class Server: Sendable {
    let process: Process
    let base: String

    init(data: URL) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: mixdown)
        process.arguments = [
            "serve", "--port", "0", "--data", data.path, "--workers", "\(workers)", "--max-upload-mb", "4096",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw BenchError("mixdown serve exited before listening") }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: #"http://[^ ]+"#, options: .regularExpression) else {
            throw BenchError("no URL in: \(text)")
        }
        base = String(text[range])
    }

    /// Resident memory now, MB.
    var residentMB: Double {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Double(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: HTTP (URLSession; its task API, which FoundationNetworking has everywhere)

func request(_ method: String, _ url: String, token: String? = nil, body: Data? = nil, file: URL? = nil) async throws -> [String: Any] {
    var request = URLRequest(url: URL(string: url)!)
    request.httpMethod = method
    request.timeoutInterval = 3600
    if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
    let (data, status): (Data, Int) = try await withCheckedThrowingContinuation { continuation in
        let completion: @Sendable (Data?, URLResponse?, (any Error)?) -> Void = { data, response, error in
            if let error { return continuation.resume(throwing: error) }
            continuation.resume(returning: (data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0))
        }
        if let file {
            URLSession.shared.uploadTask(with: request, fromFile: file, completionHandler: completion).resume()
        } else if let body {
            URLSession.shared.uploadTask(with: request, from: body, completionHandler: completion).resume()
        } else {
            URLSession.shared.dataTask(with: request, completionHandler: completion).resume()
        }
    }
    guard (200..<300).contains(status) else { throw BenchError("\(method) \(url): \(status) \(String(decoding: data, as: UTF8.self))") }
    return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
}

func createSession(_ server: Server) async throws -> (id: String, token: String) {
    let session = try await request("POST", "\(server.base)/api/sessions")
    return (session["session_id"] as! String, session["token"] as! String)
}

func upload(_ server: Server, session: (id: String, token: String), file: URL) async throws {
    let name = file.lastPathComponent.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    _ = try await request("PUT", "\(server.base)/api/sessions/\(session.id)/stems?name=\(name)", token: session.token, file: file)
}

// MARK: The status socket

struct SocketRun: Sendable {
    var latenciesMS: [Double] = []
    var messageCount = 0
    var finalState = ""
}

/// Follows a job's status socket to its close: the delay of every message that brings a change.
func follow(_ server: Server, jobID: String, token: String) async throws -> SocketRun {
    let run = Mutex(SocketRun())
    let url = server.base.replacingOccurrences(of: "http://", with: "ws://") + "/ws/mix/status/\(jobID)?token=\(token)"
    let parser = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    try await WebSocketClient.connect(url: url, configuration: .init(maxFrameSize: 1 << 16), logger: Logger(label: "bench")) {
        inbound, _, _ in
        var last: (String, Int)?
        for try await message in inbound.messages(maxSize: 1 << 24) {
            let arrived = Date()
            guard case .text(let text) = message,
                let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                let state = json["state"] as? String, let progress = json["progress"] as? Int
            else { continue }
            let changed = last.map { $0 != (state, progress) } ?? false  // the first message shows the past
            if changed, let stamp = json["updated_at"] as? String, let updated = try? parser.parse(stamp) {
                run.withLock { $0.latenciesMS.append(arrived.timeIntervalSince(updated) * 1000) }
            }
            last = (state, progress)
            run.withLock {
                $0.messageCount += 1
                $0.finalState = state
            }
        }
    }
    return run.withLock { $0 }
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

func runCLI(_ folder: URL, out: URL) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: mixdown)
    process.arguments = ["mix", folder.path, "--out", out.path]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw BenchError("mixdown mix \(folder.path) exited \(process.terminationStatus)") }
}

// MARK: The run

let folders = try FileManager.default.contentsOfDirectory(at: sessionsDirectory, includingPropertiesForKeys: nil)
    .filter { $0.hasDirectoryPath }.sorted { $0.path < $1.path }
let server = try Server(data: work.appendingPathComponent("data"))
defer { server.stop() }

// 1 and 2: jobs per minute, socket latency.
var sessions: [(id: String, token: String)] = []
for folder in folders {
    let session = try await createSession(server)
    let stems = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).sorted { $0.path < $1.path }
    for stem in stems { try await upload(server, session: session, file: stem) }
    sessions.append(session)
}
let clock = ContinuousClock()
let serviceStart = clock.now
let runs = try await withThrowingTaskGroup(of: SocketRun.self) { group in
    for session in sessions {
        let job = try await request("POST", "\(server.base)/api/sessions/\(session.id)/jobs", token: session.token, body: Data("{}".utf8))
        let jobID = job["job_id"] as! String
        group.addTask { try await follow(server, jobID: jobID, token: session.token) }
    }
    var runs: [SocketRun] = []
    for try await run in group { runs.append(run) }
    return runs
}
let serviceSeconds = (clock.now - serviceStart) / .seconds(1)
guard runs.allSatisfy({ $0.finalState == "complete" }) else { throw BenchError("not every job completed: \(runs.map(\.finalState))") }

let cliStart = clock.now
for (index, folder) in folders.enumerated() {
    try runCLI(folder, out: work.appendingPathComponent("cli-\(index).wav"))
}
let cliSeconds = (clock.now - cliStart) / .seconds(1)

let jobsPerMinute = Double(folders.count) / serviceSeconds * 60
let cliPerMinute = Double(folders.count) / cliSeconds * 60
print("Jobs: \(folders.count) sessions started at once, \(workers) workers (peer: mixdown mix on each folder, one after another)")
func row(_ name: String, _ seconds: String, _ rate: String) -> String {
    "  " + name.padding(toLength: 36, withPad: " ", startingAt: 0) + String(repeating: " ", count: max(0, 8 - seconds.count))
        + seconds + String(repeating: " ", count: max(0, 11 - rate.count)) + rate
}
print(row("run", "wall s", "jobs/min"))
print(row("mixdown serve, \(folders.count) jobs", String(format: "%.2f", serviceSeconds), String(format: "%.1f", jobsPerMinute)))
print(row("mixdown mix × \(folders.count), one by one", String(format: "%.2f", cliSeconds), String(format: "%.1f", cliPerMinute)))
print(String(format: "  ratio (serve / one by one): %.2f×", jobsPerMinute / cliPerMinute))
let latencies = runs.flatMap(\.latenciesMS)
print(String(
    format: "Status sockets: %d messages; a change stored → its message received: median %.0f ms, p95 %.0f ms, max %.0f ms (%d changes)",
    runs.map(\.messageCount).reduce(0, +), percentile(latencies, 0.5), percentile(latencies, 0.95), latencies.max() ?? .nan,
    latencies.count))

// 3: upload.
let uploadBytes = Double((try FileManager.default.attributesOfItem(atPath: uploadFile.path)[.size] as? NSNumber)?.intValue ?? 0)
let copyTarget = work.appendingPathComponent("copy.bin")
let copyStart = clock.now
try FileManager.default.copyItem(at: uploadFile, to: copyTarget)
let copySeconds = (clock.now - copyStart) / .seconds(1)
try FileManager.default.removeItem(at: copyTarget)

let rssBefore = server.residentMB
let peak = Mutex(rssBefore)
let sampler = Task {
    while !Task.isCancelled {
        let now = server.residentMB
        peak.withLock { $0 = max($0, now) }
        try? await Task.sleep(for: .milliseconds(20))
    }
}
let big = try await createSession(server)
let uploadStart = clock.now
try await upload(server, session: big, file: uploadFile)
let uploadSeconds = (clock.now - uploadStart) / .seconds(1)
sampler.cancel()
let megabytes = uploadBytes / 1e6
print(String(
    format: "Upload: %.2f GB WAV as one stem (streamed to disk, then checked and measured): %.1f s, %.0f MB/s; a plain copy of the file: %.0f MB/s (ratio %.2f)",
    uploadBytes / 1e9, uploadSeconds, megabytes / uploadSeconds, megabytes / copySeconds, copySeconds / uploadSeconds))
print(String(format: "  server RSS: %.1f MB before, %.1f MB at most during the upload", rssBefore, peak.withLock { $0 }))
