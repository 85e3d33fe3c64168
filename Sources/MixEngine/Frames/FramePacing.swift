import Dispatch
import Synchronization

/// Decides which of a render's frames a sink takes: at most one per `minimumInterval` of wall
/// time, and always the song's last. A render at 90× realtime makes 2,700 frames a second; a
/// watcher showing 60 should not have every one copied for it.
public final class FramePacing: Sendable {
    private let minimumIntervalNanoseconds: UInt64
    /// When the last frame was taken (uptime ns; 0 before the first).
    private let lastTakenAt = Atomic<UInt64>(0)

    public init(minimumInterval: Duration) {
        let (seconds, attoseconds) = minimumInterval.components
        minimumIntervalNanoseconds = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds / 1_000_000_000))
    }

    /// Whether to take the frame at hand.
    public func wantsFrame(isLast: Bool) -> Bool {
        if minimumIntervalNanoseconds == 0 || isLast { return true }
        // The last time is read before the clock, so `now` is never older than it.
        let last = lastTakenAt.load(ordering: .acquiring)
        let now = DispatchTime.now().uptimeNanoseconds
        guard last == 0 || (now > last && now - last >= minimumIntervalNanoseconds) else { return false }
        // Two threads may both see the interval passed (pass 1 publishes from the blend stage
        // only, pass 2 from the output stage only, but not necessarily one after the other):
        // only the one that moves the time forward takes it.
        return lastTakenAt.compareExchange(expected: last, desired: now, ordering: .acquiringAndReleasing).exchanged
    }
}
