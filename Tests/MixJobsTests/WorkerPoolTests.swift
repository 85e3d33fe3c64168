import Foundation
import MixEngine
import MixJobs
import MixTesting
import Synchronization
import Testing

@Suite("worker pool: real mixes on a bounded pool")
struct WorkerPoolTests {
    /// A 6 s session: a voice-like tone and a noise bed.
    static let session: TemporaryDirectory = {
        let folder = try! TemporaryDirectory()
        let frames = 48_000 * 6
        let tone = SignalGenerator.sine(frequencyHz: 220, sampleRate: 48_000, frameCount: frames, amplitude: 0.3)
        let bed = SignalGenerator.noise(frameCount: frames, amplitude: 0.2, seed: 9)
        try! AudioFixture.write([tone], to: folder.file("Lead Vox.wav"), type: .wav(bits: 24), sampleRate: 48_000)
        try! AudioFixture.write([bed, bed], to: folder.file("Beat.wav"), type: .wav(bits: 16), sampleRate: 48_000)
        return folder
    }()

    /// Counts renders running at once.
    final class Gauge: Sendable {
        private let counts = Mutex((now: 0, most: 0))
        func enter() { counts.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
        func leave() { counts.withLock { $0.now -= 1 } }
        var most: Int { counts.withLock { $0.most } }
    }

    /// The real work: mix the session into `output/<job id>.wav`.
    static func mixWork(output: URL, gauge: Gauge? = nil) -> WorkerPool.Work {
        { job, context in
            gauge?.enter()
            defer { gauge?.leave() }
            let inspection = try Self.inspectSync(Self.session.url)
            _ = try MixRenderer(options: try MixOptions.standard()).render(
                inspection, to: .init(mixURL: output.appendingPathComponent("\(job.id).wav")),
                progress: context.report, isCancelled: context.isCancelled)
        }
    }

    static func inspectSync(_ folder: URL) throws -> SessionInspection {
        let result = Mutex<Result<SessionInspection, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            let outcome: Result<SessionInspection, any Error>
            do {
                outcome = .success(try await SessionInspector(concurrency: 1).inspect(folder: folder))
            } catch {
                outcome = .failure(error)
            }
            result.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        return try result.withLock { $0! }.get()
    }

    static func store(jobs: [String]) async throws -> (TemporaryDirectory, MixStore) {
        let folder = try TemporaryDirectory()
        let store = try MixStore(directory: folder.url.appendingPathComponent("data"))
        let t0 = Date()
        try await store.insert(SessionRecord(id: "s", tokenHash: "h", createdAt: t0))
        for (index, id) in jobs.enumerated() {
            try await store.insert(JobRecord(id: id, sessionID: "s", optionsJSON: "{}", createdAt: t0 + Double(index)))
        }
        return (folder, store)
    }

    @Test("five jobs on two workers: never more than two at once, each complete with its whole timeline")
    func bounded() async throws {
        let ids = (1...5).map { "job\($0)" }
        let (folder, store) = try await Self.store(jobs: ids)
        let gauge = Gauge()
        let pool = WorkerPool(store: store, workerCount: 2, work: Self.mixWork(output: folder.url, gauge: gauge))
        try await pool.start()
        await pool.drain()
        #expect(gauge.most == 2)
        for id in ids {
            let job = try #require(try await store.job(id: id))
            #expect(job.state == .complete && job.progress == 100, "\(id): \(job.state) \(job.error ?? "")")
            #expect(try await store.timeline(jobID: id).map(\.state)
                == [.queued, .loading, .processingTracks, .mixing, .mastering, .exporting, .complete])
            #expect(FileManager.default.fileExists(atPath: folder.file("\(id).wav").path))
        }
    }

    @Test("cancelling a running job stops its render: cancelled, nothing written")
    func cancelRunning() async throws {
        let (folder, store) = try await Self.store(jobs: ["slow"])
        // The render pauses at its first report from the track pass until the cancel is sent,
        // so the cancel lands mid-render however loaded the machine is.
        let cancelSent = DispatchSemaphore(value: 0)
        let paused = Mutex(false)
        let stoppedAt = Mutex<Date?>(nil)
        let work: WorkerPool.Work = { job, context in
            // When the render itself returns (on its own thread, whatever the test pool is doing).
            defer { stoppedAt.withLock { $0 = Date() } }
            let pausing = WorkerPool.JobContext(
                report: { progress in
                    context.report(progress)
                    let first = progress.stage == .processingTracks && paused.withLock { done in
                        defer { done = true }
                        return !done
                    }
                    if first { cancelSent.wait() }
                },
                isCancelled: context.isCancelled)
            try Self.mixWork(output: folder.url)(job, pausing)
        }
        let pool = WorkerPool(store: store, workerCount: 1, work: work)
        await pool.submit("slow")
        while !paused.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
        try await pool.cancel("slow")
        let started = Date()
        cancelSent.signal()
        await pool.drain()
        let stopped = try #require(stoppedAt.withLock { $0 })
        #expect(stopped.timeIntervalSince(started) < 2, "the render stopped at its next block")
        #expect(try await store.job(id: "slow")?.state == .cancelled)
        #expect(try await store.timeline(jobID: "slow").last?.state == .cancelled)
        #expect(!FileManager.default.fileExists(atPath: folder.file("slow.wav").path))
        await #expect(throws: JobTransitionError.self) { try await pool.cancel("slow") }
    }

    @Test("a render that fails fails its job with the reason; the next job still runs")
    func failure() async throws {
        let (folder, store) = try await Self.store(jobs: ["bad", "good"])
        let mix = Self.mixWork(output: folder.url)
        let pool = WorkerPool(store: store, workerCount: 1) { job, context in
            if job.id == "bad" { throw MixError.nothingToMix("every stem is muted") }
            try mix(job, context)
        }
        try await pool.start()
        await pool.drain()
        #expect(try await store.job(id: "bad")?.state == .failed)
        #expect(try await store.job(id: "bad")?.error == "nothing to mix: every stem is muted")
        #expect(try await store.job(id: "good")?.state == .complete)
    }

    @Test("start-up after a crash: the job left running fails saying why; the queued one runs")
    func recovery() async throws {
        let (folder, store) = try await Self.store(jobs: ["crashed", "waiting"])
        _ = try await store.apply(.start, toJob: "crashed")
        _ = try await store.apply(.stage(.mastering, fraction: 0.6), toJob: "crashed")
        let pool = WorkerPool(store: store, workerCount: 2, work: Self.mixWork(output: folder.url))
        #expect(try await pool.start() == ["crashed"])
        await pool.drain()
        #expect(try await store.job(id: "crashed")?.state == .failed)
        #expect(try await store.job(id: "crashed")?.error?.contains("the service stopped while this job was mastering") == true)
        #expect(try await store.job(id: "waiting")?.state == .complete)
    }
}

@Suite("worker pool: the graceful stop", .serialized)
struct WorkerPoolShutdownTests {
    /// Work that runs until it is stopped (then throws, as a render does), or for `seconds`.
    static func work(seconds: Double) -> WorkerPool.Work {
        { _, context in
            let end = Date().addingTimeInterval(seconds)
            while Date() < end {
                if context.isCancelled() { throw MixError.cancelled }
                Thread.sleep(forTimeInterval: 0.005)
            }
        }
    }

    @Test("a render that ends within the grace completes; one that does not is stopped and fails saying the server shut down; a job submitted after stays queued")
    func graceThenStop() async throws {
        let (folder, store) = try await WorkerPoolTests.store(jobs: ["short", "long", "late"])
        defer { withExtendedLifetime(folder) {} }
        let drained = Mutex<ContinuousClock.Instant?>(nil)
        let hooks = WorkerPool.Hooks(drained: { deadline in drained.withLock { $0 = deadline } })
        let pool = WorkerPool(store: store, workerCount: 2, shutdownGrace: .milliseconds(600), hooks: hooks) { job, context in
            try Self.work(seconds: job.id == "short" ? 0.2 : 60)(job, context)
        }
        await pool.submit("short")
        await pool.submit("long")
        while try await store.job(id: "long")?.state == .queued { try await Task.sleep(for: .milliseconds(5)) }
        let started = ContinuousClock.now
        await pool.shutDown()
        let took = ContinuousClock.now - started
        #expect(took >= .milliseconds(550) && took < .seconds(5), "\(took)")
        #expect(try await store.job(id: "short")?.state == .complete)
        let long = try #require(try await store.job(id: "long"))
        #expect(long.state == .failed && long.error == WorkerPool.shutdownReason)
        #expect(try await store.timeline(jobID: "long").last?.state == .failed)
        #expect(drained.withLock { $0 } != nil)
        await pool.submit("late")
        try await Task.sleep(for: .milliseconds(100))
        #expect(try await store.job(id: "late")?.state == .queued)
    }

    @Test("with nothing running the stop is immediate")
    func idleStop() async throws {
        let (folder, store) = try await WorkerPoolTests.store(jobs: [])
        defer { withExtendedLifetime(folder) {} }
        let pool = WorkerPool(store: store, workerCount: 1, shutdownGrace: .seconds(30), work: Self.work(seconds: 0))
        let started = ContinuousClock.now
        await pool.shutDown()
        // Far below the 30 s grace: an idle pool does not wait it out (the bound is loose for a loaded machine).
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}
