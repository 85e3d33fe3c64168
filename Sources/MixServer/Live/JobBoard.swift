import Foundation
import Synchronization

/// What the status sockets watch: each running job's newest meter frame, and a wake-up for
/// every watcher when the job changes (a new frame, a stored progress or state). Wake-ups
/// collapse: a watcher that is busy sending finds one pending wake-up, not a queue, so a slow
/// client never holds memory or the render.
final class JobBoard<Frame: Sendable>: Sendable {
    /// One watcher's wake-ups; `end()` when the watcher leaves.
    struct Watch: Sendable {
        let wakeUps: AsyncStream<Void>
        fileprivate let end: @Sendable () -> Void

        func stop() { end() }
    }

    private struct Entry {
        var latestFrame: Frame?
        var watchers: [UUID: AsyncStream<Void>.Continuation] = [:]
        var isRendering = false
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Starts watching a job; the first wake-up is already pending.
    func watch(_ jobID: String) -> Watch {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        continuation.yield()
        entries.withLock { $0[jobID, default: Entry()].watchers[id] = continuation }
        return Watch(wakeUps: stream) { [weak self] in
            continuation.finish()
            self?.entries.withLock { entries in
                entries[jobID]?.watchers[id] = nil
                Self.dropIfIdle(jobID, in: &entries)
            }
        }
    }

    /// The job changed (progress, state): wakes its watchers.
    func changed(_ jobID: String) {
        entries.withLock { entries in
            entries[jobID]?.watchers.values.forEach { $0.yield() }
        }
    }

    /// The render of a job begins: its frames are kept from now until it ends.
    func renderStarted(_ jobID: String) {
        entries.withLock { $0[jobID, default: Entry()].isRendering = true }
    }

    /// A new meter frame from a job's render: kept as its newest; wakes its watchers.
    func publish(_ frame: Frame, jobID: String) {
        entries.withLock { entries in
            guard entries[jobID]?.isRendering == true else { return }
            entries[jobID]?.latestFrame = frame
            entries[jobID]?.watchers.values.forEach { $0.yield() }
        }
    }

    /// The render of a job ended: its last frame stays for the watchers still there (their
    /// final message shows it) and goes with the last of them.
    func renderEnded(_ jobID: String) {
        entries.withLock { entries in
            entries[jobID]?.isRendering = false
            entries[jobID]?.watchers.values.forEach { $0.yield() }
            Self.dropIfIdle(jobID, in: &entries)
        }
    }

    /// The job's newest meter frame, while it renders or while someone still watches it.
    func latestFrame(_ jobID: String) -> Frame? {
        entries.withLock { $0[jobID]?.latestFrame }
    }

    /// How many jobs the board holds (memory check in tests).
    var jobCount: Int { entries.withLock { $0.count } }

    private static func dropIfIdle(_ jobID: String, in entries: inout [String: Entry]) {
        if let entry = entries[jobID], entry.watchers.isEmpty, !entry.isRendering { entries[jobID] = nil }
    }
}
