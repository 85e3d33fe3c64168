/// How a file's channels are folded to the session's stereo pair: one row of gains for the
/// left output and one for the right, a gain per input channel.
///
/// Layouts with more than two channels follow the ITU-R BS.775 downmix: front channels go
/// straight through, centre and surrounds are added at −3 dB (0.7071), the LFE channel is
/// left out. Channel order is the WAVE/SMPTE order (L, R, C, LFE, Ls, Rs, …), which is what
/// libsndfile returns for WAV, FLAC and Ogg. The sum is not normalised: the engine works in
/// float with headroom, and each stem is loudness-matched afterwards.
public struct ChannelFold: Sendable, Equatable {
    /// Gain of each input channel into the left output.
    public let leftGains: [Float]
    /// Gain of each input channel into the right output.
    public let rightGains: [Float]
    /// The layout these gains assume, in words (for the note shown to the user).
    public let layoutName: String

    /// −3 dB, the BS.775 weight of centre and surround channels.
    public static let minus3dB: Float = 0.70710678

    /// Number of input channels this fold takes.
    public var channelCount: Int { leftGains.count }

    /// Whether the fold changes anything (more than two channels in).
    public var isDownmix: Bool { channelCount > 2 }

    /// The fold for `channelCount` inputs (1…8), or nil when no layout is defined for it.
    public static func forChannelCount(_ channelCount: Int) -> ChannelFold? {
        let c = minus3dB
        switch channelCount {
        case 1:
            // Mono is heard in the centre: the same signal on both sides.
            return ChannelFold(leftGains: [1], rightGains: [1], layoutName: "mono")
        case 2:
            return ChannelFold(leftGains: [1, 0], rightGains: [0, 1], layoutName: "stereo")
        case 3:  // L R C
            return ChannelFold(leftGains: [1, 0, c], rightGains: [0, 1, c], layoutName: "3.0 (L R C)")
        case 4:  // L R Ls Rs
            return ChannelFold(leftGains: [1, 0, c, 0], rightGains: [0, 1, 0, c], layoutName: "quad (L R Ls Rs)")
        case 5:  // L R C Ls Rs
            return ChannelFold(
                leftGains: [1, 0, c, c, 0], rightGains: [0, 1, c, 0, c], layoutName: "5.0 (L R C Ls Rs)")
        case 6:  // L R C LFE Ls Rs
            return ChannelFold(
                leftGains: [1, 0, c, 0, c, 0], rightGains: [0, 1, c, 0, 0, c], layoutName: "5.1 (L R C LFE Ls Rs)")
        case 7:  // L R C LFE Cs Ls Rs: the back centre splits equally
            return ChannelFold(
                leftGains: [1, 0, c, 0, 0.5, c, 0], rightGains: [0, 1, c, 0, 0.5, 0, c],
                layoutName: "6.1 (L R C LFE Cs Ls Rs)")
        case 8:  // L R C LFE Lb Rb Ls Rs
            return ChannelFold(
                leftGains: [1, 0, c, 0, c, 0, c, 0], rightGains: [0, 1, c, 0, 0, c, 0, c],
                layoutName: "7.1 (L R C LFE Lb Rb Ls Rs)")
        default:
            return nil
        }
    }

    /// Folds `frameCount` interleaved frames of `channelCount` channels into the planar
    /// stereo buffers `left` and `right` (each at least `frameCount` long).
    public func fold(
        interleaved: UnsafePointer<Float>, frameCount: Int,
        left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>
    ) {
        let channels = channelCount
        switch channels {
        case 1:
            for frame in 0..<frameCount {
                left[frame] = interleaved[frame]
                right[frame] = interleaved[frame]
            }
        case 2:
            for frame in 0..<frameCount {
                left[frame] = interleaved[2 * frame]
                right[frame] = interleaved[2 * frame + 1]
            }
        default:
            leftGains.withUnsafeBufferPointer { leftRow in
                rightGains.withUnsafeBufferPointer { rightRow in
                    for frame in 0..<frameCount {
                        let base = interleaved + frame * channels
                        var l: Float = 0
                        var r: Float = 0
                        for channel in 0..<channels {
                            l += leftRow[channel] * base[channel]
                            r += rightRow[channel] * base[channel]
                        }
                        left[frame] = l
                        right[frame] = r
                    }
                }
            }
        }
    }
}
