import Foundation
import MixJobs
import Prometheus
import Synchronization

/// The service's Prometheus metrics (`GET /metrics`), in a registry of its own (no global
/// metrics system: two services in one process, as in the tests, keep separate counts).
final class ServiceMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    /// Jobs by state, read from the store at each scrape.
    private let jobsByState: [JobState: Gauge]
    /// Wall time of each render, start to end, labelled by how it ended.
    private let jobDurations: [JobState: DurationHistogram]
    /// Audio seconds rendered per wall-clock second, for each completed job.
    private let renderSpeed: ValueHistogram
    /// Stem bytes received, kept or not.
    private let uploadBytes: Counter
    /// Status sockets open now.
    private let openSockets: Gauge
    /// Messages sent on status sockets.
    private let socketMessages: Counter
    /// Frames sent on realtime sockets.
    private let realtimeFrames: Counter

    init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        func name(_ metric: String, unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "mixdown", metricName: metric, unitName: unit, helpText: help)
        }
        let jobs = name("jobs", unit: "", "Jobs by state.")
        jobsByState = Dictionary(uniqueKeysWithValues: JobState.allCases.map { state in
            (state, registry.makeGauge(descriptor: jobs, labels: [("state", state.rawValue)]))
        })
        let duration = name("job_duration", unit: "seconds", "Wall time of a job's render, from its start to its end.")
        let durationBuckets: [Duration] = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600].map { .seconds($0) }
        jobDurations = Dictionary(uniqueKeysWithValues: [JobState.complete, .failed, .cancelled].map { state in
            (state, registry.makeDurationHistogram(descriptor: duration, labels: [("state", state.rawValue)], buckets: durationBuckets))
        })
        renderSpeed = registry.makeValueHistogram(
            descriptor: name("render_speed", unit: "ratio", "Audio seconds mixed per second of wall time (× realtime), per completed job."),
            buckets: [1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 200])
        uploadBytes = registry.makeCounter(descriptor: name("upload", unit: "bytes_total", "Stem upload bytes received."))
        openSockets = registry.makeGauge(descriptor: name("open_sockets", unit: "", "Status and realtime WebSockets open now."))
        realtimeFrames = registry.makeCounter(
            descriptor: name("realtime_frames", unit: "total", "Meter frames sent on realtime WebSockets."))
        socketMessages = registry.makeCounter(
            descriptor: name("socket_messages", unit: "total", "Messages sent on status WebSockets."))
    }

    func received(uploadBytes count: Int) { uploadBytes.increment(by: Int64(count)) }
    func socketOpened() { openSockets.increment() }
    func socketClosed() { openSockets.decrement() }
    func socketMessageSent() { socketMessages.increment() }
    func realtimeFrameSent() { realtimeFrames.increment() }

    /// Audio seconds of renders that finished, until their jobs' ends are recorded.
    private let renderedAudioSeconds = Mutex<[String: Double]>([:])

    /// A job's render finished, `audioSeconds` long (its job may still end cancelled).
    func rendered(jobID: String, audioSeconds: Double) {
        renderedAudioSeconds.withLock { $0[jobID] = audioSeconds }
    }

    /// A job ended as stored (`state`) after running for `duration`; a complete one also
    /// records its render speed.
    func jobEnded(_ job: JobRecord, after duration: Duration) {
        let audioSeconds = renderedAudioSeconds.withLock { $0.removeValue(forKey: job.id) }
        jobDurations[job.state]?.record(duration)
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        if job.state == .complete, let audioSeconds, seconds > 0 { renderSpeed.record(audioSeconds / seconds) }
    }

    /// The exposition text, with the job counts read from the store just now.
    func exposition(store: MixStore) async throws -> [UInt8] {
        for (state, count) in try await store.jobCounts() { jobsByState[state]?.set(to: Double(count)) }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
