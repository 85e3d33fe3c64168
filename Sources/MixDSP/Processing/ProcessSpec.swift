/// What a processor is prepared for: the rate, the largest block it will be handed, and the
/// number of channels (1 or 2: the engine is stereo after conforming).
public struct ProcessSpec: Sendable, Equatable {
    public var sampleRate: Double
    public var maxFrameCount: Int
    public var channelCount: Int

    public init(sampleRate: Double, maxFrameCount: Int, channelCount: Int = 2) {
        precondition(sampleRate > 0 && maxFrameCount > 0 && (1...2).contains(channelCount))
        self.sampleRate = sampleRate
        self.maxFrameCount = maxFrameCount
        self.channelCount = channelCount
    }
}
