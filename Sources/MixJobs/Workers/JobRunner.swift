import Dispatch
import Foundation
import MixEngine
import Synchronization

/// Runs queued jobs on a bounded number of workers (`--workers`, default the core count). Each
/// render runs on its own thread, off Swift's cooperative pool, and reports through the job's
/// state machine in the store; cancelling sets a flag the render polls between blocks.
public actor JobRunner {
    /// What a worker does for a job: render it, reporting progress and polling for cancellation.
    /// Runs on a thread of its own; a thrown error fails the job with its description.
    public typealias Work = @Sendable (JobRecord, JobContext) throws -> Void

    /// A running job's line back to the runner.
    public struct JobContext: Sendable {
        /// Reports the render's stage and progress (stored when the stage or the whole percent changes).
        public let report: @Sendable (MixProgress) -> Void
        /// True once the job has been cancelled.
        public let isCancelled: @Sendable () -> Bool

        public init(report: @escaping @Sendable (MixProgress) -> Void, isCancelled: @escaping @Sendable () -> Bool) {
            self.report = report
            self.isCancelled = isCancelled
        }
    }

    private let store: MixStore
    private let workerCount: Int
    private let work: Work
    private let onChange: @Sendable (String) -> Void
    private let onEnded: @Sendable (JobRecord, Duration) -> Void
    private var waiting: [String] = []
    private var running: [String: CancellationFlag] = [:]
    private var tasks: [String: Task<Void, Never>] = [:]

    /// `onChange` is called with a job's id after each change to it is stored (its state, its
    /// progress), from any thread; the service wakes the job's status sockets with it.
    /// `onEnded` gets a job that ran, as stored at its end, and how long it ran.
    public init(
        store: MixStore, workerCount: Int = ProcessInfo.processInfo.activeProcessorCount,
        onChange: @escaping @Sendable (String) -> Void = { _ in },
        onEnded: @escaping @Sendable (JobRecord, Duration) -> Void = { _, _ in }, work: @escaping Work
    ) {
        self.store = store
        self.workerCount = max(1, workerCount)
        self.onChange = onChange
        self.onEnded = onEnded
        self.work = work
    }

    /// At start-up: fails the jobs a previous process left running (saying so) and queues the
    /// waiting ones, oldest first. Returns the ids of the jobs it failed.
    @discardableResult
    public func start() throws -> [String] {
        let failed = try store.failInterruptedJobs()
        for job in try store.queuedJobs() where !waiting.contains(job.id) { waiting.append(job.id) }
        pump()
        return failed
    }

    /// Queues a stored job.
    public func submit(_ jobID: String) {
        guard !waiting.contains(jobID), running[jobID] == nil else { return }
        waiting.append(jobID)
        pump()
    }

    /// Cancels a job: a waiting one at once, a running one at its render's next block.
    /// Throws `JobTransitionError` when the job has already ended.
    @discardableResult
    public func cancel(_ jobID: String) throws -> JobRecord {
        let (job, actions) = try store.apply(.cancel, toJob: jobID)
        onChange(jobID)
        waiting.removeAll { $0 == jobID }
        if actions.contains(.stopRender) { running[jobID]?.raise() }
        return job
    }

    /// Waits until nothing is running or waiting (for tests and shutdown).
    public func drain() async {
        while let task = tasks.values.first {
            await task.value
        }
    }

    private func pump() {
        while running.count < workerCount, !waiting.isEmpty {
            let jobID = waiting.removeFirst()
            let flag = CancellationFlag()
            running[jobID] = flag
            let (store, work, onChange, onEnded) = (self.store, self.work, self.onChange, self.onEnded)
            tasks[jobID] = Task.detached { [weak self] in
                await Self.run(jobID, store: store, work: work, flag: flag, onChange: onChange, onEnded: onEnded)
                await self?.finished(jobID)
            }
        }
    }

    private func finished(_ jobID: String) {
        running[jobID] = nil
        tasks[jobID] = nil
        pump()
    }

    /// One job, start to end, on a thread of its own.
    private static func run(
        _ jobID: String, store: MixStore, work: @escaping Work, flag: CancellationFlag,
        onChange: @escaping @Sendable (String) -> Void, onEnded: @escaping @Sendable (JobRecord, Duration) -> Void
    ) async {
        guard let (job, _) = try? store.apply(.start, toJob: jobID) else { return }  // cancelled while waiting
        let clock = ContinuousClock()
        let started = clock.now
        onChange(jobID)
        let reporter = ProgressReporter(store: store, jobID: jobID, onChange: onChange)
        let context = JobContext(report: { reporter.report($0) }, isCancelled: { flag.isRaised })
        let outcome: Result<Void, any Error> = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: Result { try work(job, context) })
            }
        }
        switch outcome {
        case .success:
            _ = try? store.apply(.finish, toJob: jobID)
        case .failure(let error):
            // A cancelled job is already marked so; anything else fails the job with its reason.
            if !flag.isRaised { _ = try? store.apply(.fail(String(describing: error)), toJob: jobID) }
        }
        onChange(jobID)
        if let ended = try? store.job(id: jobID) { onEnded(ended, clock.now - started) }
    }
}

/// Set once, read from any thread.
final class CancellationFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    func raise() { raised.store(true, ordering: .releasing) }
    var isRaised: Bool { raised.load(ordering: .acquiring) }
}

/// Stores a render's progress only when its stage or whole percent changes (a few hundred
/// writes a job at most, never one per block).
final class ProgressReporter: Sendable {
    private let store: MixStore
    private let jobID: String
    private let onChange: @Sendable (String) -> Void
    private let last = Mutex<(stage: MixStage?, percent: Int)>((nil, -1))

    init(store: MixStore, jobID: String, onChange: @escaping @Sendable (String) -> Void) {
        self.store = store
        self.jobID = jobID
        self.onChange = onChange
    }

    func report(_ progress: MixProgress) {
        let percent = Int(progress.fraction * 100)
        let changed = last.withLock { last in
            defer { last = (progress.stage, percent) }
            return last.stage != progress.stage || last.percent != percent
        }
        guard changed else { return }
        if (try? store.apply(.stage(progress.stage, fraction: progress.fraction), toJob: jobID)) != nil { onChange(jobID) }
    }
}
