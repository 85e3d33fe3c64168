/// Where a render's meter frames go as it makes them (the service's live board, a
/// `MeterFrameStream`). Called from the render's threads; every call returns at once: the render
/// never waits on a watcher.
public protocol MeterFrameSink: Sendable {
    /// The render's frames will be laid out as `header` says (called once, before any frame).
    func begin(_ header: FrameFileHeader)
    /// Whether the render should hand over the frame at hand (a sink showing a few frames a
    /// second declines most of the hundreds a render makes); `isLast` marks the song's last frame.
    func wantsFrame(isLast: Bool) -> Bool
    /// One frame's record, laid out as `FrameLayout` (the current version) says, valid only during
    /// the call. `isComplete` is false in the first pass (tracks, pre-master and the bus
    /// compressor only).
    func publish(record: UnsafeRawBufferPointer, index: Int, isComplete: Bool)
    /// The render has ended, however it ended (called once; again is harmless).
    func finish()
}
