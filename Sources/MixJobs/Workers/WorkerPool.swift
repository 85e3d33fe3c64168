import Dispatch
import Foundation
import MixEngine
import ServiceLifecycle
import Synchronization

/// Runs queued jobs on a bounded number of workers (`--workers`, default the core count), as a
/// `Service` of the application's `ServiceGroup`. Each render runs on a thread of its own, off
/// Swift's cooperative pool, and reports through the job's state machine in the store;
/// cancelling sets a flag the render polls between blocks.
///
/// On graceful shutdown (SIGTERM) the pool takes no new job, lets the running renders finish
/// within `shutdownGrace`, then stops the rest: each of those ends `failed` with the reason.
/// Queued jobs stay queued in the store, to be run when the service starts again.
public actor WorkerPool: Service {
    /// What a worker does for a job: render it, reporting progress and polling for cancellation.
    /// Runs on a thread of its own; a thrown error fails the job with its description.
    public typealias Work = @Sendable (JobRecord, JobContext) throws -> Void

    /// A running job's line back to the pool.
    public struct JobContext: Sendable {
        /// Reports the render's stage and progress (stored when the stage or the whole percent changes).
        public let report: @Sendable (MixProgress) -> Void
        /// True once the job has been cancelled, or the pool is stopping it.
        public let isCancelled: @Sendable () -> Bool

        public init(report: @escaping @Sendable (MixProgress) -> Void, isCancelled: @escaping @Sendable () -> Bool) {
            self.report = report
            self.isCancelled = isCancelled
        }
    }

    /// What the pool tells its owner, in order for each job, from any thread.
    public struct Hooks: Sendable {
        /// A job changed as stored (`JobChange.job`), with the timeline entries the change added.
        public var changed: @Sendable (JobChange) -> Void
        /// A job that ran has ended as stored, after running this long.
        public var ended: @Sendable (JobRecord, Duration) -> Void
        /// A job is stored complete (its files can be published further).
        public var completed: @Sendable (JobRecord) -> Void
        /// A job ended without completing (failed, cancelled, stopped): whatever its render left
        /// behind must go.
        public var discard: @Sendable (JobRecord) -> Void
        /// The graceful stop has let every render return; the rest of the service has until
        /// `deadline` (the shutdown's start plus the grace) to close what it has open.
        public var drained: @Sendable (_ deadline: ContinuousClock.Instant) async -> Void

        public init(
            changed: @escaping @Sendable (JobChange) -> Void = { _ in },
            ended: @escaping @Sendable (JobRecord, Duration) -> Void = { _, _ in },
            completed: @escaping @Sendable (JobRecord) -> Void = { _ in },
            discard: @escaping @Sendable (JobRecord) -> Void = { _ in },
            drained: @escaping @Sendable (_ deadline: ContinuousClock.Instant) async -> Void = { _ in }
        ) {
            self.changed = changed
            self.ended = ended
            self.completed = completed
            self.discard = discard
            self.drained = drained
        }
    }

    /// The reason a job cut off by the service's shutdown fails with.
    public static let shutdownReason = "the server shut down before the mix was finished; start it again"

    private let store: MixStore
    private let workerCount: Int
    private let shutdownGrace: Duration
    private let work: Work
    private let hooks: Hooks
    private var waiting: [String] = []
    private var running: [String: CancellationFlag] = [:]
    private var tasks: [String: Task<Void, Never>] = [:]
    private var accepting = true

    public init(
        store: MixStore, workerCount: Int = ProcessInfo.processInfo.activeProcessorCount,
        shutdownGrace: Duration = .seconds(30), hooks: Hooks = Hooks(), work: @escaping Work
    ) {
        self.store = store
        self.workerCount = max(1, workerCount)
        self.shutdownGrace = shutdownGrace
        self.hooks = hooks
        self.work = work
    }

    /// As a service: starts (see `start`), runs until the graceful shutdown, then drains (see
    /// `shutDown`).
    public func run() async throws {
        try await start()
        try? await gracefulShutdown()
        await shutDown()
    }

    /// At start-up: fails the jobs a previous process left running (saying so) and queues the
    /// waiting ones, oldest first. Returns the ids of the jobs it failed.
    @discardableResult
    public func start() async throws -> [String] {
        let failed = try await store.failInterruptedJobs()
        for job in try await store.queuedJobs() where !waiting.contains(job.id) { waiting.append(job.id) }
        pump()
        return failed
    }

    /// Queues a stored job (nothing happens once the pool is shutting down: the job stays queued
    /// in the store for the next start).
    public func submit(_ jobID: String) {
        guard accepting, !waiting.contains(jobID), running[jobID] == nil else { return }
        waiting.append(jobID)
        pump()
    }

    /// Cancels a job: a waiting one at once, a running one at its render's next block.
    /// Throws `JobTransitionError` when the job has already ended.
    @discardableResult
    public func cancel(_ jobID: String) async throws -> JobRecord {
        let change = try await store.apply(.cancel, toJob: jobID)
        hooks.changed(change)
        waiting.removeAll { $0 == jobID }
        if change.actions.contains(.stopRender) { running[jobID]?.raise(.user) }
        return change.job
    }

    /// Waits until nothing is running or waiting (for tests).
    public func drain() async {
        while let task = tasks.values.first {
            await task.value
        }
    }

    /// The graceful stop: no new job is taken; running renders get until `shutdownGrace` from
    /// now to finish, then are stopped (their jobs fail with `shutdownReason`); returns once
    /// every render has returned.
    public func shutDown() async {
        accepting = false
        waiting.removeAll()
        let deadline = ContinuousClock.now.advanced(by: shutdownGrace)
        let renders = Array(tasks.values)
        let flags = Array(running.values)
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for render in renders { await render.value }
                return true
            }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return false
            }
            // The grace is over before the renders: they are stopped now (and end soon after).
            if await group.next() == false {
                for flag in flags { flag.raise(.shutdown) }
            }
            group.cancelAll()
        }
        await drain()
        await hooks.drained(deadline)
    }

    private func pump() {
        while accepting, running.count < workerCount, !waiting.isEmpty {
            let jobID = waiting.removeFirst()
            let flag = CancellationFlag()
            running[jobID] = flag
            let (store, work, hooks) = (self.store, self.work, self.hooks)
            tasks[jobID] = Task.detached { [weak self] in
                await Self.run(jobID, store: store, work: work, flag: flag, hooks: hooks)
                await self?.finished(jobID)
            }
        }
    }

    private func finished(_ jobID: String) {
        running[jobID] = nil
        tasks[jobID] = nil
        pump()
    }

    /// One job, start to end, its render on a thread of its own.
    private static func run(_ jobID: String, store: MixStore, work: @escaping Work, flag: CancellationFlag, hooks: Hooks) async {
        guard let started = try? await store.apply(.start, toJob: jobID) else { return }  // cancelled while waiting
        let clock = ContinuousClock()
        let startedAt = clock.now
        hooks.changed(started)
        let reporter = ProgressReporter(store: store, jobID: jobID, changed: hooks.changed)
        let context = JobContext(report: { reporter.report($0) }, isCancelled: { flag.isRaised })
        let job = started.job
        let outcome: Result<Void, any Error> = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: Result { try work(job, context) })
            }
        }
        let event: JobMachine.Event?
        switch (outcome, flag.reason) {
        case (.success, _):
            // A render that finished is complete, even if a stop was asked as it ended (a cancel
            // stored first wins: the store refuses `finish` for a cancelled job).
            event = .finish
        case (.failure, .user?):
            event = nil  // the job is already marked cancelled
        case (.failure, .shutdown?):
            event = .fail(shutdownReason)
        case (.failure(let error), nil):
            event = .fail(String(describing: error))
        }
        if let event { await record(event, jobID: jobID, store: store, hooks: hooks) }
        guard let ended = try? await store.job(id: jobID) else { return }
        if ended.state == .complete { hooks.completed(ended) } else { hooks.discard(ended) }
        hooks.ended(ended, clock.now - startedAt)
    }

    /// Stores a job's end, trying again a few times when the store is busy (a job must not stay
    /// "running" in the store because one write failed); a refusal (the job ended meanwhile) is final.
    private static func record(_ event: JobMachine.Event, jobID: String, store: MixStore, hooks: Hooks) async {
        for attempt in 0..<5 {
            do {
                hooks.changed(try await store.apply(event, toJob: jobID))
                return
            } catch is JobTransitionError {
                // Ended meanwhile (cancelled): what is stored is the end; tell the owner.
                if let stored = try? await store.jobWithTimeline(id: jobID) {
                    hooks.changed(JobChange(job: stored.job, timeline: stored.timeline))
                }
                return
            } catch {
                try? await Task.sleep(for: .milliseconds(100 << attempt))
            }
        }
    }
}

/// Why a running render is being stopped; set once, read from any thread.
final class CancellationFlag: Sendable {
    enum Reason: Int {
        /// The user cancelled the job.
        case user = 1
        /// The service is shutting down.
        case shutdown = 2
    }

    private let raised = Atomic<Int>(0)

    /// Raises the flag; the first reason stays.
    func raise(_ reason: Reason) {
        _ = raised.compareExchange(expected: 0, desired: reason.rawValue, ordering: .acquiringAndReleasing)
    }

    var reason: Reason? { Reason(rawValue: raised.load(ordering: .acquiring)) }
    var isRaised: Bool { reason != nil }
}

/// Stores a render's progress only when its stage or whole percent changes (a few hundred
/// writes a job at most, never one per block), from the render's own thread.
final class ProgressReporter: Sendable {
    private let store: MixStore
    private let jobID: String
    private let changed: @Sendable (JobChange) -> Void
    private let last = Mutex<(stage: MixStage?, percent: Int)>((nil, -1))

    init(store: MixStore, jobID: String, changed: @escaping @Sendable (JobChange) -> Void) {
        self.store = store
        self.jobID = jobID
        self.changed = changed
    }

    func report(_ progress: MixProgress) {
        let percent = Int(progress.fraction * 100)
        let isNew = last.withLock { last in
            defer { last = (progress.stage, percent) }
            return last.stage != progress.stage || last.percent != percent
        }
        guard isNew else { return }
        if let change = try? store.applyBlocking(.stage(progress.stage, fraction: progress.fraction), toJob: jobID) {
            changed(change)
        }
    }
}
