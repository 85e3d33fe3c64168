import MixDSP
import Testing

@Suite("Fold to stereo (ITU-R BS.775)")
struct ChannelFoldTests {
    /// Folds one frame whose only non-zero channel is `channel` and returns (left, right).
    private func impulse(channel: Int, of channelCount: Int) -> (Float, Float) {
        let fold = ChannelFold.forChannelCount(channelCount)!
        var frame = [Float](repeating: 0, count: channelCount)
        frame[channel] = 1
        var left: Float = 0, right: Float = 0
        frame.withUnsafeBufferPointer { fold.fold(interleaved: $0.baseAddress!, frameCount: 1, left: &left, right: &right) }
        return (left, right)
    }

    @Test("mono goes to both sides at full level; stereo passes unchanged")
    func monoAndStereo() {
        #expect(impulse(channel: 0, of: 1) == (1, 1))
        #expect(impulse(channel: 0, of: 2) == (1, 0))
        #expect(impulse(channel: 1, of: 2) == (0, 1))
    }

    @Test("5.1: fronts straight, centre and surrounds at −3 dB, LFE left out")
    func fivePointOne() {
        let minus3 = Float(0.70710678)
        #expect(impulse(channel: 0, of: 6) == (1, 0))        // L
        #expect(impulse(channel: 1, of: 6) == (0, 1))        // R
        #expect(impulse(channel: 2, of: 6) == (minus3, minus3))  // C
        #expect(impulse(channel: 3, of: 6) == (0, 0))        // LFE
        #expect(impulse(channel: 4, of: 6) == (minus3, 0))   // Ls
        #expect(impulse(channel: 5, of: 6) == (0, minus3))   // Rs
    }

    @Test("every layout from 1 to 8 channels keeps the front pair and drops nothing but the LFE", arguments: 3...8)
    func layouts(channelCount: Int) {
        let fold = ChannelFold.forChannelCount(channelCount)!
        #expect(fold.isDownmix)
        #expect(impulse(channel: 0, of: channelCount) == (1, 0))
        #expect(impulse(channel: 1, of: channelCount) == (0, 1))
        let lfe = channelCount >= 6 ? 3 : nil
        for channel in 2..<channelCount where channel != lfe {
            let (left, right) = impulse(channel: channel, of: channelCount)
            #expect(left + right > 0.6, "channel \(channel) of \(channelCount) must be heard")
        }
    }

    @Test("more than 8 channels has no fold", arguments: [0, 9, 64])
    func unsupported(channelCount: Int) {
        #expect(ChannelFold.forChannelCount(channelCount) == nil)
    }
}
