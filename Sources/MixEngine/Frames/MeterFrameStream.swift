/// Meter frames as a render makes them, for whoever watches (the service's sockets, a
/// progress display). Only the newest frame is kept: a slow reader skips frames and never
/// slows the render, which never waits on it.
public final class MeterFrameStream: Sendable {
    public let frames: AsyncStream<MeterFrame>
    private let continuation: AsyncStream<MeterFrame>.Continuation

    /// A stream keeping the newest `keepingNewest` frames for a reader that falls behind
    /// (1 for a display; more only to see every frame in a test).
    public init(keepingNewest count: Int = 1) {
        (frames, continuation) = AsyncStream.makeStream(of: MeterFrame.self, bufferingPolicy: .bufferingNewest(count))
    }

    /// Offers a frame; returns at once.
    func publish(_ frame: MeterFrame) {
        continuation.yield(frame)
    }

    /// Ends the stream (the render finished, failed or was cancelled).
    func finish() {
        continuation.finish()
    }
}
