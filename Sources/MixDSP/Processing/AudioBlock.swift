/// A planar block of audio processed in place: one buffer per channel, `frameCount` frames.
/// It borrows the memory; the caller owns it and keeps it alive while the block is used.
/// Mono blocks have `right == left`.
public struct AudioBlock {
    public let left: UnsafeMutablePointer<Float>
    public let right: UnsafeMutablePointer<Float>
    public let channelCount: Int
    public let frameCount: Int

    /// A stereo block over two buffers of at least `frameCount` floats.
    public init(left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>, frameCount: Int) {
        self.left = left
        self.right = right
        self.channelCount = 2
        self.frameCount = frameCount
    }

    /// A mono block over one buffer.
    public init(mono: UnsafeMutablePointer<Float>, frameCount: Int) {
        self.left = mono
        self.right = mono
        self.channelCount = 1
        self.frameCount = frameCount
    }

    /// The channel's samples (0: left or mono, 1: right).
    @inlinable
    public func channel(_ index: Int) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: index == 0 ? left : right, count: frameCount)
    }

    /// `count` frames starting at `offset`, sharing this block's memory (no copy, no allocation).
    @inlinable
    public func slice(from offset: Int, count: Int) -> AudioBlock {
        precondition(offset >= 0 && count >= 0 && offset + count <= frameCount)
        return channelCount == 1
            ? AudioBlock(mono: left + offset, frameCount: count)
            : AudioBlock(left: left + offset, right: right + offset, frameCount: count)
    }
}
