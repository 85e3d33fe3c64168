import Foundation
import MixEngine
import MixJobs
import Synchronization

/// One job's live state, kept in one place: the job as last stored (state, progress, message),
/// its timeline, and the render's frame header and newest frame. The worker pool and the render
/// write it; every socket of the job reads it, and none reads the database while the job runs.
/// Wake-ups collapse: a socket busy sending finds one pending wake-up, never a queue.
final class LiveJob: Sendable {
    /// What a socket reads.
    struct Snapshot: Sendable {
        var job: JobRecord
        var timeline: [TimelineEntry]
        /// How the render lays out its frames; nil until the render begins.
        var header: FrameFileHeader?
        /// The newest frame; nil until the first.
        var frame: LiveFrame?
    }

    /// One socket's wake-ups; `stop()` when it leaves.
    struct Watch: Sendable {
        let wakeUps: AsyncStream<Void>
        fileprivate let end: @Sendable () -> Void

        func stop() { end() }
    }

    private struct Watcher {
        let wake: AsyncStream<Void>.Continuation
        /// Woken by every new frame too (not only by the job's changes).
        let wantsFrames: Bool
    }

    private struct State {
        var snapshot: Snapshot
        var watchers: [UUID: Watcher] = [:]
        var published: UInt32 = 0
        var isRendering = false
    }

    let id: String
    private let state: Mutex<State>
    /// Called when the last watcher leaves a job that no longer renders.
    private let onIdle: @Sendable (String) -> Void

    init(job: JobRecord, timeline: [TimelineEntry], onIdle: @escaping @Sendable (String) -> Void) {
        id = job.id
        state = Mutex(State(snapshot: Snapshot(job: job, timeline: timeline)))
        self.onIdle = onIdle
    }

    var snapshot: Snapshot { state.withLock { $0.snapshot } }

    /// Whether nobody watches and nothing renders (the board can forget the job).
    var isIdle: Bool { state.withLock { $0.watchers.isEmpty && !$0.isRendering } }

    /// Starts watching; the first wake-up is already pending. With `frames: false`, only the
    /// job's changes wake the watcher (a realtime stream takes frames at its own ticks).
    func watch(frames: Bool = true) -> Watch {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let watcher = UUID()
        continuation.yield()
        state.withLock { $0.watchers[watcher] = Watcher(wake: continuation, wantsFrames: frames) }
        return Watch(wakeUps: stream) { [weak self] in
            continuation.finish()
            guard let self else { return }
            let idle = self.state.withLock { state in
                state.watchers[watcher] = nil
                return state.watchers.isEmpty && !state.isRendering
            }
            if idle { self.onIdle(self.id) }
        }
    }

    /// The job as stored after a change. A change that arrives late (two threads report) never
    /// takes the job back: an ended job stays ended, a stage never goes back, progress never drops.
    func apply(_ change: JobChange) {
        state.withLock { state in
            guard Self.isNewer(change.job, than: state.snapshot.job) else { return }
            state.snapshot.job = change.job
            if change.timeline.count >= state.snapshot.timeline.count { state.snapshot.timeline = change.timeline }
            Self.wake(state)
        }
    }

    /// The render begins: its frames will be laid out as `header` says.
    func renderBegan(_ header: FrameFileHeader) {
        state.withLock { state in
            state.isRendering = true
            state.snapshot.header = header
            state.snapshot.frame = nil
            Self.wake(state)
        }
    }

    /// A frame from the render, copied; it becomes the newest.
    func publish(record: UnsafeRawBufferPointer, index: Int, isComplete: Bool) {
        state.withLock { state in
            guard let header = state.snapshot.header else { return }
            state.published &+= 1
            state.snapshot.frame = LiveFrame(
                record: record, index: index, isComplete: isComplete, sequence: state.published, header: header)
            for watcher in state.watchers.values where watcher.wantsFrames { watcher.wake.yield() }
        }
    }

    /// The render ended; its last frame stays for the watchers still there.
    func renderEnded() {
        let idle = state.withLock { state in
            state.isRendering = false
            Self.wake(state)
            return state.watchers.isEmpty
        }
        if idle { onIdle(id) }
    }

    /// Wakes every watcher (the service is shutting down: they look at the board's flag).
    func wakeAll() {
        state.withLock { Self.wake($0) }
    }

    private static func wake(_ state: State) {
        for watcher in state.watchers.values { watcher.wake.yield() }
    }

    /// Whether `new` is the same job further along than `old`.
    static func isNewer(_ new: JobRecord, than old: JobRecord) -> Bool {
        if old.state.isTerminal { return new == old }
        if new.state.isTerminal { return true }
        let (from, to) = (old.state.pathOrder, new.state.pathOrder)
        return to > from || (to == from && new.progress >= old.progress)
    }
}

/// The render's frames, handed to the job's live state (a `MeterFrameSink`). The render offers
/// frames at most `maximumRate` (120) a second of wall time: twice the fastest a realtime stream
/// shows them, so each of its ticks finds a frame it has not shown.
final class LiveFrameSink: MeterFrameSink {
    static let maximumRate = 2 * RealtimeRequest.framesPerSecondRange.upperBound
    private let job: LiveJob
    private let pacing = FramePacing(minimumInterval: .nanoseconds(1_000_000_000 / LiveFrameSink.maximumRate))

    init(job: LiveJob) {
        self.job = job
    }

    func begin(_ header: FrameFileHeader) { job.renderBegan(header) }
    func wantsFrame(isLast: Bool) -> Bool { pacing.wantsFrame(isLast: isLast) }
    func publish(record: UnsafeRawBufferPointer, index: Int, isComplete: Bool) {
        job.publish(record: record, index: index, isComplete: isComplete)
    }
    func finish() { job.renderEnded() }
}
