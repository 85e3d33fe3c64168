/// How a file's channels are folded to the session's stereo pair: one row of gains for the
/// left output and one for the right, a gain per input channel.
///
/// Layouts with more than two channels follow the ITU-R BS.775 downmix: front channels go
/// straight through, centre and surrounds are added at −3 dB (0.7071), the LFE channel is
/// left out. The channel order depends on the container (`ChannelLayout.Order`). The sum is
/// not normalised: the engine works in float with headroom, and each stem is loudness-matched
/// afterwards.
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

    /// A fold with the given gains.
    public init(leftGains: [Float], rightGains: [Float], layoutName: String) {
        precondition(leftGains.count == rightGains.count)
        self.leftGains = leftGains
        self.rightGains = rightGains
        self.layoutName = layoutName
    }

    /// The fold for `channelCount` inputs (1…8) stored in `order`, or nil when no layout is
    /// defined for it.
    public static func forChannelCount(_ channelCount: Int, order: ChannelLayout.Order = .wave) -> ChannelFold? {
        ChannelLayout.standard(channelCount: channelCount, order: order).map(ChannelFold.init(layout:))
    }

    /// The BS.775 fold of a layout: fronts straight through, centre and surrounds at −3 dB,
    /// a back centre split equally, the LFE left out; mono to both sides at full level.
    public init(layout: ChannelLayout) {
        let c = Self.minus3dB
        var left: [Float] = [], right: [Float] = []
        for position in layout.positions {
            let (l, r): (Float, Float)
            switch position {
            case .left: (l, r) = (1, 0)
            case .right: (l, r) = (0, 1)
            case .center: (l, r) = layout.positions.count == 1 ? (1, 1) : (c, c)
            case .lfe: (l, r) = (0, 0)
            case .leftSurround, .leftBack: (l, r) = (c, 0)
            case .rightSurround, .rightBack: (l, r) = (0, c)
            case .backCenter: (l, r) = (0.5, 0.5)
            }
            left.append(l)
            right.append(r)
        }
        self.init(leftGains: left, rightGains: right, layoutName: layout.name)
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
