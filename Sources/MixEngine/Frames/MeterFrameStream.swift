import Dispatch
import Synchronization

/// Meter frames as a render makes them, decoded, as an async sequence (for a progress display or
/// a test). Only the newest frames are kept: a slow reader skips frames and never slows the
/// render, which never waits on it.
public final class MeterFrameStream: MeterFrameSink {
    public let frames: AsyncStream<MeterFrame>
    private let continuation: AsyncStream<MeterFrame>.Continuation
    private let header = Mutex<FrameFileHeader?>(nil)
    private let pacing: FramePacing

    /// A stream keeping the newest `keepingNewest` frames for a reader that falls behind
    /// (1 for a display; more only to see every frame in a test). With `minimumInterval`, the
    /// render offers at most one frame per interval of wall time: a render at 30× realtime
    /// makes 900 frames a second, and a watcher showing a few a second should not have every one
    /// decoded for it.
    public init(keepingNewest count: Int = 1, minimumInterval: Duration = .zero) {
        (frames, continuation) = AsyncStream.makeStream(of: MeterFrame.self, bufferingPolicy: .bufferingNewest(count))
        pacing = FramePacing(minimumInterval: minimumInterval)
    }

    public func begin(_ header: FrameFileHeader) {
        self.header.withLock { $0 = header }
    }

    /// Always the last frame; otherwise a frame when the minimum interval has passed since the
    /// last one offered.
    public func wantsFrame(isLast: Bool) -> Bool {
        pacing.wantsFrame(isLast: isLast)
    }

    /// Decodes the frame and offers it; returns at once.
    public func publish(record: UnsafeRawBufferPointer, index: Int, isComplete: Bool) {
        guard let header = header.withLock({ $0 }) else { return }
        continuation.yield(MeterFrame(record: record.baseAddress!, index: index, header: header, isComplete: isComplete))
    }

    /// Ends the stream (the render does when it finishes, fails or is cancelled; again is harmless).
    public func finish() {
        continuation.finish()
    }
}
