import Dispatch
import Synchronization

/// Meter frames as a render makes them, for whoever watches (the service's sockets, a
/// progress display). Only the newest frame is kept: a slow reader skips frames and never
/// slows the render, which never waits on it.
public final class MeterFrameStream: Sendable {
    public let frames: AsyncStream<MeterFrame>
    private let continuation: AsyncStream<MeterFrame>.Continuation
    private let minimumIntervalNanoseconds: UInt64
    /// When the last frame was offered (uptime ns; 0 before the first).
    private let lastOfferedAt = Atomic<UInt64>(0)

    /// A stream keeping the newest `keepingNewest` frames for a reader that falls behind
    /// (1 for a display; more only to see every frame in a test). With `minimumInterval`, the
    /// render offers at most one frame per interval of wall time: a render at 30× realtime
    /// makes 900 frames a second, and a watcher showing a few a second should not have every one
    /// decoded for it.
    public init(keepingNewest count: Int = 1, minimumInterval: Duration = .zero) {
        (frames, continuation) = AsyncStream.makeStream(of: MeterFrame.self, bufferingPolicy: .bufferingNewest(count))
        let (seconds, attoseconds) = minimumInterval.components
        minimumIntervalNanoseconds = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds / 1_000_000_000))
    }

    /// Whether the render should decode and offer the frame at hand: always for the last frame,
    /// otherwise when the minimum interval has passed since the last one offered.
    func wantsFrame(isLast: Bool) -> Bool {
        if minimumIntervalNanoseconds == 0 || isLast { return true }
        // The last offer is read before the clock, so `now` is never older than it.
        let last = lastOfferedAt.load(ordering: .acquiring)
        let now = DispatchTime.now().uptimeNanoseconds
        guard last == 0 || (now > last && now - last >= minimumIntervalNanoseconds) else { return false }
        // Two threads may both see the interval passed (pass 1 publishes from the blend stage
        // only, pass 2 from the output stage only, but not necessarily one after the other):
        // only the one that moves the time forward offers.
        return lastOfferedAt.compareExchange(expected: last, desired: now, ordering: .acquiringAndReleasing).exchanged
    }

    /// Offers a frame; returns at once.
    func publish(_ frame: MeterFrame) {
        continuation.yield(frame)
    }

    /// Ends the stream (the render does when it finishes, fails or is cancelled; again is harmless).
    public func finish() {
        continuation.finish()
    }
}
