/// Meter frames as a render makes them, for whoever watches (the service's sockets, a
/// progress display). Only the newest frame is kept: a slow reader skips frames and never
/// slows the render, which never waits on it.
public final class MeterFrameStream: Sendable {
    public let frames: AsyncStream<MeterFrame>
    private let continuation: AsyncStream<MeterFrame>.Continuation

    public init() {
        (frames, continuation) = AsyncStream.makeStream(of: MeterFrame.self, bufferingPolicy: .bufferingNewest(1))
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
