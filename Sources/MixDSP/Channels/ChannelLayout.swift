/// Where each channel of a multichannel file plays, in the order the file stores them.
public struct ChannelLayout: Sendable, Equatable {
    /// A loudspeaker position.
    public enum Position: Sendable, Equatable {
        case left, right, center, lfe, leftSurround, rightSurround, leftBack, rightBack, backCenter
    }

    /// Channel orders of the containers Mixdown reads.
    public enum Order: Sendable {
        /// WAVE/SMPTE: L R C LFE, then back/side pairs (WAV, RF64, FLAC, AIFF as libsndfile reads them).
        case wave
        /// Vorbis/Opus mapping family 1: L C R, surrounds, LFE last (Ogg Vorbis and Opus).
        case vorbis
    }

    public let positions: [Position]
    /// The layout's name for the note shown to the user ("5.1 (L R C LFE Ls Rs)").
    public let name: String

    /// The standard layout for 1…8 channels in `order`; nil above 8.
    public static func standard(channelCount: Int, order: Order = .wave) -> ChannelLayout? {
        switch (channelCount, order) {
        case (1, _): return ChannelLayout(positions: [.center], name: "mono")
        case (2, _): return ChannelLayout(positions: [.left, .right], name: "stereo")
        case (3, .wave): return ChannelLayout(positions: [.left, .right, .center], name: "3.0 (L R C)")
        case (3, .vorbis): return ChannelLayout(positions: [.left, .center, .right], name: "3.0 (L C R)")
        case (4, _):
            return ChannelLayout(positions: [.left, .right, .leftSurround, .rightSurround], name: "quad (L R Ls Rs)")
        case (5, .wave):
            return ChannelLayout(positions: [.left, .right, .center, .leftSurround, .rightSurround], name: "5.0 (L R C Ls Rs)")
        case (5, .vorbis):
            return ChannelLayout(positions: [.left, .center, .right, .leftSurround, .rightSurround], name: "5.0 (L C R Ls Rs)")
        case (6, .wave):
            return ChannelLayout(
                positions: [.left, .right, .center, .lfe, .leftSurround, .rightSurround], name: "5.1 (L R C LFE Ls Rs)")
        case (6, .vorbis):
            return ChannelLayout(
                positions: [.left, .center, .right, .leftSurround, .rightSurround, .lfe], name: "5.1 (L C R Ls Rs LFE)")
        case (7, .wave):
            return ChannelLayout(
                positions: [.left, .right, .center, .lfe, .backCenter, .leftSurround, .rightSurround],
                name: "6.1 (L R C LFE Cs Ls Rs)")
        case (7, .vorbis):
            return ChannelLayout(
                positions: [.left, .center, .right, .leftSurround, .rightSurround, .backCenter, .lfe],
                name: "6.1 (L C R Ls Rs Cs LFE)")
        case (8, .wave):
            return ChannelLayout(
                positions: [.left, .right, .center, .lfe, .leftBack, .rightBack, .leftSurround, .rightSurround],
                name: "7.1 (L R C LFE Lb Rb Ls Rs)")
        case (8, .vorbis):
            return ChannelLayout(
                positions: [.left, .center, .right, .leftSurround, .rightSurround, .leftBack, .rightBack, .lfe],
                name: "7.1 (L C R Ls Rs Lb Rb LFE)")
        default:
            return nil
        }
    }
}
