/// The track chain (SPEC §3: loudness match → EQ → compressor → saturation → fader →
/// de-esser → air → widen) of up to eight channels of several tracks at once, one channel per
/// lane of a `SIMD8<Float>` (`LaneLayout`), each lane with its own track's settings.
///
/// The processors run a stereo track's two channels side by side in the two lanes of a `SIMD2`;
/// their filters wait on their own recurrences, so the other six lanes the vector unit has sit
/// idle. Here they are filled with other tracks' channels (a mono stem takes one lane, not two
/// equal ones): five tracks of a session in about half the time of their chains one by one
/// (`MixBench`). Every step is the step the track's own processors take (`Equalizer`,
/// `Compressor`, `Saturator`, `Gain`, `DeEsser`, `Air`, `StereoWidener`), on the lane's values,
/// so each lane's output is bit for bit what they give (tested), and so are the gain-reduction
/// readouts.
///
/// Settings are fixed: a bank is built for one render. `process` allocates nothing and takes no
/// locks.
public final class LaneChainBank {
    /// One track's chain: what its `TrackChain` would hold (nil: the stage is not there).
    public struct Track: Sendable {
        public var channelCount: Int
        public var matchGainDB: Double?
        public var equalizer: [Equalizer.Band]
        public var compressor: Compressor.Settings?
        public var saturator: Saturator.Settings?
        public var faderDB: Double
        public var deEsser: DeEsser.Settings?
        public var air: Air.Settings?
        /// The stereo widener's width (1: no widener; a mono track is never widened).
        public var width: Double

        public init(
            channelCount: Int, matchGainDB: Double?, equalizer: [Equalizer.Band], compressor: Compressor.Settings?,
            saturator: Saturator.Settings?, faderDB: Double, deEsser: DeEsser.Settings?, air: Air.Settings?, width: Double
        ) {
            self.channelCount = channelCount
            self.matchGainDB = matchGainDB
            self.equalizer = equalizer
            self.compressor = compressor
            self.saturator = saturator
            self.faderDB = faderDB
            self.deEsser = deEsser
            self.air = air
            self.width = width
        }
    }

    public let layout: LaneLayout
    public let maxFrameCount: Int
    private let tracks: [Track]
    private let stereoLanes: SIMDMask<SIMD8<Int32>>
    private let matchGain: SIMD8<Float>?
    private let fader: SIMD8<Float>
    private var equalizer: LaneEqualizer?
    private var compressor: LaneCompressor?
    private var saturator: LaneSaturator?
    private var deEsser: LaneDeEsser?
    private var air: LaneEqualizer?
    private let widener: LaneWidener?
    /// Frames processed since reset: the filters' denormal flushes fall where the processors'
    /// do (`LaneFlushPoints`).
    private var framesSinceReset = 0
    /// Per-frame scratch for the dynamics' passes (levels, then reductions; the de-esser's band).
    private let levels: UnsafeMutablePointer<SIMD8<Float>>
    private let sibilance: UnsafeMutablePointer<SIMD8<Float>>

    /// A bank for `tracks` at `sampleRate`, for blocks of up to `maxFrameCount` frames; nil when
    /// their channels do not fit in eight lanes. Settings are validated as the processors
    /// validate them.
    public init?(tracks: [Track], sampleRate: Double, maxFrameCount: Int) throws {
        guard let layout = LaneLayout(channelCounts: tracks.map(\.channelCount)) else { return nil }
        for track in tracks {
            try Equalizer.Settings(bands: track.equalizer).validate()
            try track.compressor?.validate()
            try track.saturator?.validate()
            try Gain.Settings(gainDB: track.faderDB).validate()
            if let match = track.matchGainDB { try Gain.Settings(gainDB: match).validate() }
            try track.deEsser?.validate()
            try track.air?.validate()
            try StereoWidener.Settings(width: track.width).validate()
        }
        self.layout = layout
        self.tracks = tracks
        self.maxFrameCount = maxFrameCount
        stereoLanes = layout.stereoLanes
        func amplitude(_ dB: Double) -> Float { Float(Decibels.toAmplitude(dB)) }
        matchGain = tracks.contains { $0.matchGainDB != nil }
            ? layout.lanes(tracks.map { amplitude($0.matchGainDB ?? 0) }, idle: 1) : nil
        fader = layout.lanes(tracks.map { amplitude($0.faderDB) }, idle: 1)
        equalizer = LaneEqualizer(tracks.map { $0.equalizer.map { $0.coefficients(sampleRate: sampleRate) } }, layout: layout)
        compressor = LaneCompressor(tracks.map(\.compressor), layout: layout, sampleRate: sampleRate)
        saturator = LaneSaturator(tracks.map(\.saturator), layout: layout)
        deEsser = LaneDeEsser(tracks.map(\.deEsser), layout: layout, sampleRate: sampleRate)
        air = LaneEqualizer(try tracks.map { try $0.air.map { [try Air($0).coefficients(sampleRate: sampleRate)] } ?? [] }, layout: layout)
        widener = LaneWidener(widths: tracks.map(\.width), channelCounts: tracks.map(\.channelCount), layout: layout)
        levels = .allocate(capacity: maxFrameCount)
        levels.initialize(repeating: .zero, count: maxFrameCount)
        sibilance = .allocate(capacity: maxFrameCount)
        sibilance.initialize(repeating: .zero, count: maxFrameCount)
    }

    deinit {
        levels.deallocate()
        sibilance.deallocate()
    }

    /// Clears every state; settings stay.
    public func reset() {
        equalizer?.reset()
        compressor?.reset()
        saturator?.reset()
        deEsser?.reset()
        air?.reset()
        framesSinceReset = 0
    }

    /// Runs `frameCount` frames in place (`frames[i]` holds frame i of every lane).
    public func process(_ frames: UnsafeMutablePointer<SIMD8<Float>>, frameCount count: Int) {
        precondition(count <= maxFrameCount, "LaneChainBank: block larger than its maxFrameCount")
        let start = framesSinceReset
        if let matchGain { for i in 0..<count { frames[i] *= matchGain } }
        equalizer?.process(frames, count: count, framesSinceReset: start)
        compressor?.process(frames, count: count, levels: levels, stereo: stereoLanes)
        saturator?.process(frames, count: count, framesSinceReset: start)
        let fader = fader
        for i in 0..<count { frames[i] *= fader }
        deEsser?.process(frames, count: count, framesSinceReset: start, levels: levels, sibilance: sibilance, stereo: stereoLanes)
        air?.process(frames, count: count, framesSinceReset: start)
        widener?.process(frames, count: count)
        framesSinceReset += count
    }

    /// Track `track`'s compressor gain reduction over the last block (nil: it has none).
    public func compressorGainReduction(track: Int) -> GainReductionReadout? {
        guard tracks[track].compressor != nil else { return nil }
        return compressor?.tally.readout(lane: layout.trackLanes[track].first)
    }

    /// Track `track`'s de-esser gain reduction over the last block (nil: it has none).
    public func deEsserGainReduction(track: Int) -> GainReductionReadout? {
        guard tracks[track].deEsser != nil else { return nil }
        return deEsser?.tally.readout(lane: layout.trackLanes[track].first)
    }
}
