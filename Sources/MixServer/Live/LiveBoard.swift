import Foundation
import MixJobs
import Synchronization

/// Every job someone watches or a worker renders, each as one `LiveJob`; and the service's
/// going-away signal, which every socket listens for. A job no one watches and nothing renders is
/// forgotten when the last watcher leaves, the render ends, or the job ends: the board holds only
/// what is live.
final class LiveBoard: Sendable {
    private let jobs = Mutex<[String: LiveJob]>([:])
    /// Set when the service shuts down: sockets say so and close (1001).
    let goingAway = GoingAway()

    /// The live job, if the board has it.
    func existing(_ jobID: String) -> LiveJob? {
        jobs.withLock { $0[jobID] }
    }

    /// The live job, made from `seed` (the job and its timeline as stored) when the board does not
    /// have it yet. A job the board has is newer than any seed read before.
    func job(seed: (job: JobRecord, timeline: [TimelineEntry])) -> LiveJob {
        jobs.withLock { jobs in entry(seed, in: &jobs) }
    }

    /// Watches the live job of `seed` (made from it when the board does not have it), in one step:
    /// the job cannot be forgotten between being found and being watched. The caller should then
    /// read the job from the store again and `apply` it: a change stored after the seed was read,
    /// but before the watch began, would otherwise be missed.
    func watch(seed: (job: JobRecord, timeline: [TimelineEntry]), frames: Bool) -> (LiveJob, LiveJob.Watch) {
        jobs.withLock { jobs in
            let live = entry(seed, in: &jobs)
            return (live, live.watch(frames: frames))
        }
    }

    private func entry(_ seed: (job: JobRecord, timeline: [TimelineEntry]), in jobs: inout [String: LiveJob]) -> LiveJob {
        if let live = jobs[seed.job.id] { return live }
        let live = makeJob(seed.job, seed.timeline)
        jobs[seed.job.id] = live
        return live
    }

    /// A job changed as stored (from the worker pool, from any thread).
    func changed(_ change: JobChange) {
        let live = jobs.withLock { jobs -> LiveJob? in
            if let live = jobs[change.job.id] { return live }
            // Only a job that runs is worth keeping unwatched (its render publishes frames).
            guard change.job.state.isRunning else { return nil }
            let live = makeJob(change.job, change.timeline)
            jobs[change.job.id] = live
            return live
        }
        live?.apply(change)
        if let live, change.job.state.isTerminal, live.isIdle { forget(change.job.id) }
    }

    /// Applies what the store says of a job now to its live state (after a watch began).
    func refresh(_ stored: (job: JobRecord, timeline: [TimelineEntry])) {
        existing(stored.job.id)?.apply(JobChange(job: stored.job, timeline: stored.timeline))
    }

    /// How many jobs the board holds (memory check in tests).
    var jobCount: Int { jobs.withLock { $0.count } }

    /// The service is going away: every socket is told (its job's wake-up, or the signal).
    func shutDown() {
        goingAway.set()
        for live in jobs.withLock({ Array($0.values) }) { live.wakeAll() }
    }

    private func makeJob(_ job: JobRecord, _ timeline: [TimelineEntry]) -> LiveJob {
        LiveJob(job: job, timeline: timeline) { [weak self] id in self?.forget(id) }
    }

    /// Drops a job that nobody watches any more and nothing renders, whatever its state says (a
    /// render that begins later finds or makes its entry again).
    private func forget(_ jobID: String) {
        jobs.withLock { jobs in
            if let live = jobs[jobID], live.isIdle { jobs[jobID] = nil }
        }
    }
}

/// A one-way signal: set once, awaited by any number of tasks.
final class GoingAway: Sendable {
    private let state = Mutex<(isSet: Bool, waiters: [UUID: CheckedContinuation<Void, Never>])>((false, [:]))

    var isSet: Bool { state.withLock { $0.isSet } }

    func set() {
        let waiters = state.withLock { state in
            state.isSet = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the signal is set, or when the calling task is cancelled.
    func wait() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if state.isSet || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
