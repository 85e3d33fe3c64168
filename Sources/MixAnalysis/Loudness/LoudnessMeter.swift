import CEBUR128
import Foundation
import MixDSP

/// EBU R 128 / ITU-R BS.1770 loudness of a stream, measured by libebur128.
///
/// Runs in libebur128's histogram mode, so memory stays bounded however long the song (the
/// default mode keeps every 100 ms block). Push interleaved audio with `add`; read results
/// at any time. Not thread-safe: one meter per stream.
public final class LoudnessMeter {
    /// What the meter can report; each costs a little more work per sample.
    public struct Measures: OptionSet, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// Integrated (gated) loudness; includes momentary.
        public static let integrated = Measures(rawValue: Int32(EBUR128_MODE_I.rawValue))
        /// Short-term loudness (3 s window); includes momentary.
        public static let shortTerm = Measures(rawValue: Int32(EBUR128_MODE_S.rawValue))
        /// Loudness range (EBU Tech 3342); includes short-term.
        public static let loudnessRange = Measures(rawValue: Int32(EBUR128_MODE_LRA.rawValue))
        /// Sample peak per channel.
        public static let samplePeak = Measures(rawValue: Int32(EBUR128_MODE_SAMPLE_PEAK.rawValue))
        /// True peak (4× oversampled, BS.1770-4 Annex 2).
        public static let truePeak = Measures(rawValue: Int32(EBUR128_MODE_TRUE_PEAK.rawValue))
    }

    /// Channels per frame of the audio pushed in.
    public let channelCount: Int
    /// Sample rate of the audio pushed in.
    public let sampleRate: Int
    private let state: UnsafeMutablePointer<ebur128_state>

    /// A meter for interleaved audio of `channelCount` channels at `sampleRate`; nil when
    /// libebur128 refuses the configuration (no channels, an absurd rate, out of memory).
    public init?(channelCount: Int, sampleRate: Int, measures: Measures = [.integrated]) {
        guard channelCount > 0, channelCount <= 64, sampleRate >= 16, sampleRate <= 2_822_400,
            let state = ebur128_init(
                UInt32(channelCount), UInt(sampleRate),
                measures.rawValue | Int32(EBUR128_MODE_HISTOGRAM.rawValue))
        else { return nil }
        self.state = state
        self.channelCount = channelCount
        self.sampleRate = sampleRate
        // libebur128's default map is L R C, unused, Ls Rs and unused after that: always set
        // the positions of more than two channels (`setChannelPositions`).
    }

    deinit {
        var pointer: UnsafeMutablePointer<ebur128_state>? = state
        ebur128_destroy(&pointer)
    }

    /// Tells the meter where each channel plays, for the BS.1770 weights: the LFE is not
    /// counted, surrounds weigh +1.5 dB. Mono and stereo need no call.
    public func setChannelPositions(_ positions: [ChannelLayout.Position]) {
        guard positions.count > 2 else { return }
        for (index, position) in positions.enumerated() where index < channelCount {
            let channel: UInt32
            switch position {
            case .left: channel = EBUR128_LEFT.rawValue
            case .right: channel = EBUR128_RIGHT.rawValue
            case .center: channel = EBUR128_CENTER.rawValue
            case .lfe: channel = EBUR128_UNUSED.rawValue
            case .leftSurround: channel = EBUR128_LEFT_SURROUND.rawValue
            case .rightSurround: channel = EBUR128_RIGHT_SURROUND.rawValue
            case .leftBack: channel = EBUR128_Mp135.rawValue
            case .rightBack: channel = EBUR128_Mm135.rawValue
            case .backCenter: channel = EBUR128_Mp180.rawValue
            }
            _ = ebur128_set_channel(state, UInt32(index), Int32(channel))
        }
    }

    /// Pushes `frameCount` interleaved frames.
    public func add(interleaved: UnsafePointer<Float>, frameCount: Int) {
        guard frameCount > 0 else { return }
        _ = ebur128_add_frames_float(state, interleaved, frameCount)
    }

    /// Integrated loudness in LUFS; nil when nothing passed the gates (silence, or too short).
    public var integratedLUFS: Double? {
        finite { ebur128_loudness_global(state, &$0) }
    }

    /// Short-term loudness (last 3 s) in LUFS; nil for silence.
    public var shortTermLUFS: Double? {
        finite { ebur128_loudness_shortterm(state, &$0) }
    }

    /// Momentary loudness (last 400 ms) in LUFS; nil for silence.
    public var momentaryLUFS: Double? {
        finite { ebur128_loudness_momentary(state, &$0) }
    }

    /// Loudness range in LU (EBU Tech 3342); nil when it cannot be computed.
    public var loudnessRangeLU: Double? {
        finite { ebur128_loudness_range(state, &$0) }
    }

    /// Highest true peak over all channels, in dBTP; nil when not measured or silent.
    public var truePeakDBTP: Double? {
        var highest = 0.0
        for channel in 0..<channelCount {
            var value = 0.0
            guard ebur128_true_peak(state, UInt32(channel), &value) == Int32(EBUR128_SUCCESS.rawValue) else {
                return nil
            }
            highest = max(highest, value)
        }
        return highest > 0 ? 20 * log10(highest) : nil
    }

    private func finite(_ query: (inout Double) -> Int32) -> Double? {
        var value = 0.0
        guard query(&value) == Int32(EBUR128_SUCCESS.rawValue), value.isFinite else { return nil }
        return value
    }
}
