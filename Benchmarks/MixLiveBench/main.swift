import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

// The live path under load (scripts/bench live): `mixdown serve` started as a user starts it, 50
// real WebSocket clients on one job's realtime stream at 60 fps, then 50 on its status socket
// (the peer: what the service offered before the realtime stream).
//
//   MixLiveBench MIXDOWN SESSION_DIR WORK_DIR
//
// 1. Replay: a complete job (60 frames a second of audio), 50 clients at fps=60 for 8 s.
// 2. Live: 50 clients on a job of the same stems from before it starts to its end.
// 3. The status socket: 50 clients on a job, start to end.
// Each: frames a second per client (by the server's send times), latency from the server's send
// to the client's receive (p50, p99; one clock, 127.0.0.1), the server's CPU per client, and the
// bytes of a frame for each encoding and channel set.

let arguments = CommandLine.arguments
guard arguments.count == 4 else {
    FileHandle.standardError.write(Data("usage: MixLiveBench MIXDOWN SESSION_DIR WORK_DIR\n".utf8))
    exit(2)
}
let mixdown = arguments[1]
let sessionFolder = URL(fileURLWithPath: arguments[2])
let work = URL(fileURLWithPath: arguments[3])
let clientCount = 50
let logger = Logger(label: "bench")

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: The server

final class Server: Sendable {
    let process: Process
    let base: String
    let port: Int

    init(data: URL) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: mixdown)
        process.arguments = ["serve", "--port", "0", "--data", data.path, "--workers", "1"]
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
        guard let range = text.range(of: #"http://[^ ]+"#, options: .regularExpression) else { throw BenchError("no URL in: \(text)") }
        base = String(text[range])
        port = Int(base.split(separator: ":").last!)!
    }

    func request(_ method: String, _ path: String, token: String? = nil, body: Data? = nil) throws -> [String: Any] {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        request.timeoutInterval = 600
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        request.httpBody = body
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: [String: Any] = [:]
        URLSession.shared.dataTask(with: request) { data, _, _ in
            result = data.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
            done.signal()
        }.resume()
        done.wait()
        return result
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

/// CPU seconds (user + system) a process has used.
func cpuSeconds(_ pid: Int32) -> Double {
    let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

// MARK: Clients

/// What one client saw: per message, the server's send time and the receive time (Unix ms).
final class Reading: Sendable {
    private let samples = Mutex<[(sent: Double, received: Double, bytes: Int)]>([])
    func add(sent: Double, bytes: Int) {
        let received = Date().timeIntervalSince1970 * 1000
        samples.withLock { $0.append((sent, received, bytes)) }
    }
    var all: [(sent: Double, received: Double, bytes: Int)] { samples.withLock { $0 } }
}

/// A realtime-stream client: binary frames' send times, until `until` says stop.
func realtime(port: Int, job: String, token: String, query: String, reading: Reading, until: @escaping @Sendable () -> Bool) async throws {
    _ = try await WebSocketClient.connect(
        url: "ws://127.0.0.1:\(port)/ws/mix/realtime/\(job)?token=\(token)&\(query)", configuration: .init(maxFrameSize: 1 << 16),
        logger: logger
    ) { inbound, outbound, _ in
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await message in inbound.messages(maxSize: 1 << 24) {
                    switch message {
                    case .binary(let buffer):
                        let sent = buffer.getInteger(at: buffer.readerIndex + 24, endianness: .little, as: UInt64.self).map { Double(bitPattern: $0) } ?? 0
                        reading.add(sent: sent, bytes: buffer.readableBytes)
                    case .text(let text):
                        if text.hasPrefix(#"{"type":"frame""#), let range = text.range(of: #""sent_at_ms":[0-9.]+"#, options: .regularExpression) {
                            reading.add(sent: Double(text[range].split(separator: ":")[1]) ?? 0, bytes: text.utf8.count)
                        }
                    }
                }
            }
            group.addTask {
                while !until() { try await Task.sleep(for: .milliseconds(50)) }
                try await outbound.close(.normalClosure, reason: nil)
            }
            try await group.next()
            group.cancelAll()
        }
    }
}

/// A status-socket client: each message's size and the time from `updated_at`… the server's
/// send is not in the message, so its latency is not measured here (see scripts/bench serve).
func status(port: Int, job: String, token: String, reading: Reading) async throws {
    _ = try await WebSocketClient.connect(
        url: "ws://127.0.0.1:\(port)/ws/mix/status/\(job)?token=\(token)", configuration: .init(maxFrameSize: 1 << 16), logger: logger
    ) { inbound, _, _ in
        for try await message in inbound.messages(maxSize: 1 << 24) {
            if case .text(let text) = message { reading.add(sent: Date().timeIntervalSince1970 * 1000, bytes: text.utf8.count) }
        }
    }
}

// MARK: Figures

func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

/// Frames a second of each reading over the window [start, end) of server send times, each
/// client's window starting half a second after its own first frame.
func rates(_ readings: [Reading], from start: Double, to end: Double) -> [Double] {
    readings.map { reading in
        let first = max(start, (reading.all.first?.sent ?? start) + 500)
        return Double(reading.all.filter { $0.sent >= first && $0.sent < end }.count) / ((end - first) / 1000)
    }
}

func report(_ name: String, readings: [Reading], window: (Double, Double), cpu: Double, seconds: Double) {
    let perClient = rates(readings, from: window.0, to: window.1)
    let latencies = readings.flatMap { $0.all.filter { $0.sent >= window.0 && $0.sent < window.1 }.map { $0.received - $0.sent } }
    let bytes = readings.flatMap { $0.all.map(\.bytes) }
    print(String(
        format: "%@  %d clients: %.1f / %.1f / %.1f frames a second (min / median / max)  latency p50 %.2f ms, p99 %.2f ms  server CPU %.2f %% of a core per client  %.0f bytes a frame",
        name as NSString, readings.count, perClient.min() ?? 0, percentile(perClient, 0.5), perClient.max() ?? 0,
        percentile(latencies, 0.5), percentile(latencies, 0.99), 100 * cpu / seconds / Double(readings.count),
        bytes.isEmpty ? 0 : Double(bytes.reduce(0, +)) / Double(bytes.count)))
}

func nowMs() -> Double { Date().timeIntervalSince1970 * 1000 }

/// Set once by one task, read by others.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

// MARK: The run

let server = try Server(data: work.appendingPathComponent("data"))
defer { server.stop() }
let session = try server.request("POST", "/api/sessions")
let (sessionID, token) = (session["session_id"] as! String, session["token"] as! String)
for file in try FileManager.default.contentsOfDirectory(at: sessionFolder, includingPropertiesForKeys: nil)
where ["wav", "flac", "aif", "aiff", "mp3", "ogg"].contains(file.pathExtension.lowercased()) {
    let name = file.lastPathComponent.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    _ = try server.request("PUT", "/api/sessions/\(sessionID)/stems?name=\(name)", token: token, body: try Data(contentsOf: file))
}

func startJob() throws -> String {
    try server.request("POST", "/api/sessions/\(sessionID)/jobs", token: token, body: Data(#"{"fps": 60}"#.utf8))["job_id"] as! String
}

func waitForJob(_ job: String) async throws {
    while true {
        let state = try server.request("GET", "/api/jobs/\(job)", token: token)["state"] as? String ?? ""
        if ["complete", "failed", "cancelled"].contains(state) { return }
        try await Task.sleep(for: .milliseconds(20))
    }
}

print("The realtime stream under load: \(clientCount) clients, release build, 2 cores (the clients share them with the server)")

// 1. Replay.
let replayed = try startJob()
try await waitForJob(replayed)
let replayReadings = (0..<clientCount).map { _ in Reading() }
let replaySeconds = 8.0
let stopReplay = Flag()
let replayCPUStart = cpuSeconds(server.process.processIdentifier)
let replayStart = nowMs()
try await withThrowingTaskGroup(of: Void.self) { group in
    for reading in replayReadings {
        group.addTask {
            try await realtime(port: server.port, job: replayed, token: token, query: "fps=60", reading: reading) { stopReplay.isSet }
        }
    }
    try await Task.sleep(for: .seconds(replaySeconds))
    stopReplay.set()
    try await group.waitForAll()
}
let replayCPU = cpuSeconds(server.process.processIdentifier) - replayCPUStart
report(
    "replay (binary, all channels)", readings: replayReadings, window: (replayStart + 1000, replayStart + replaySeconds * 1000),
    cpu: replayCPU, seconds: (nowMs() - replayStart) / 1000)

// 2. Live: a render on its own (its CPU is not the stream's), then the clients join before the
// next render of the same stems starts.
let aloneCPUStart = cpuSeconds(server.process.processIdentifier)
let aloneStart = nowMs()
let alone = try startJob()
try await waitForJob(alone)
let renderCPU = cpuSeconds(server.process.processIdentifier) - aloneCPUStart
let renderSeconds = (nowMs() - aloneStart) / 1000
let liveReadings = (0..<clientCount).map { _ in Reading() }
let live = try startJob()
let liveDone = Flag()
let liveCPUStart = cpuSeconds(server.process.processIdentifier)
let liveStart = nowMs()
try await withThrowingTaskGroup(of: Void.self) { group in
    for reading in liveReadings {
        group.addTask {
            try await realtime(port: server.port, job: live, token: token, query: "fps=60", reading: reading) { liveDone.isSet }
        }
    }
    try await waitForJob(live)
    liveDone.set()
    try await group.waitForAll()
}
let liveEnd = nowMs()
let liveFrames = liveReadings.flatMap { $0.all.map(\.sent) }.sorted()
let liveSeconds = (liveEnd - liveStart) / 1000
report(
    "live (binary, all channels)  ", readings: liveReadings,
    window: (liveFrames.first ?? liveStart, liveFrames.last.map { $0 + 1 } ?? liveEnd),
    cpu: cpuSeconds(server.process.processIdentifier) - liveCPUStart - renderCPU, seconds: liveSeconds)
print(String(
    format: "  the render: %.2f s alone, %.2f s with the 50 clients watching (its own CPU, %.2f s, left out of the per-client figure)",
    renderSeconds, liveSeconds, renderCPU))

// 3. The status socket, the peer: the same job's status for 50 clients.
let statusReadings = (0..<clientCount).map { _ in Reading() }
let watched = try startJob()
let statusCPUStart = cpuSeconds(server.process.processIdentifier)
let statusStart = nowMs()
try await withThrowingTaskGroup(of: Void.self) { group in
    for reading in statusReadings {
        group.addTask { try await status(port: server.port, job: watched, token: token, reading: reading) }
    }
    try await group.waitForAll()
}
let statusSeconds = (nowMs() - statusStart) / 1000
let statusMessages = statusReadings.map { Double($0.all.count) / statusSeconds }
let statusBytes = statusReadings.flatMap { $0.all.map(\.bytes) }
print(String(
    format: "status socket (peer)           %d clients: %.1f messages a second (median), server CPU %.2f %% of a core per client, %.0f bytes a message (JSON)",
    clientCount, percentile(statusMessages, 0.5),
    100 * (cpuSeconds(server.process.processIdentifier) - statusCPUStart) / statusSeconds / Double(clientCount),
    Double(statusBytes.reduce(0, +)) / Double(max(1, statusBytes.count))))

// 4. Bytes a frame, by encoding and channel set (one client each, a second of replay).
print("\nbytes a frame          binary     JSON")
for channels in ["meters", "loudness", "meters,loudness", "spectra", "scope", "meters,spectra,scope,loudness"] {
    var sizes: [String: Double] = [:]
    for encoding in ["binary", "json"] {
        let reading = Reading()
        let stop = Flag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await realtime(
                    port: server.port, job: replayed, token: token, query: "fps=30&channels=\(channels)&encoding=\(encoding)",
                    reading: reading) { stop.isSet }
            }
            try await Task.sleep(for: .milliseconds(700))
            stop.set()
            try await group.waitForAll()
        }
        let bytes = reading.all.map(\.bytes)
        sizes[encoding] = Double(bytes.reduce(0, +)) / Double(max(1, bytes.count))
    }
    print(String(format: "%-30@ %8.0f %8.0f", channels as NSString, sizes["binary"] ?? 0, sizes["json"] ?? 0))
}
