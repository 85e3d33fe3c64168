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
    let tracks: [Track]
    let matchGain: SIMD8<Float>?
    let fader: SIMD8<Float>
    var equalizer: [LaneBiquad]
    let compressorLanes: SIMDMask<SIMD8<Int32>>?
    var compressor: LaneDynamics
    let makeup: SIMD8<Float>
    let saturatorLanes: SIMDMask<SIMD8<Int32>>?
    var oversampler = LaneOversampler()
    let drive: SIMD8<Float>, wetScale: SIMD8<Float>, dry: SIMD8<Float>
    let deEsserLanes: SIMDMask<SIMD8<Int32>>?
    var deEsser: LaneDynamics
    var band = LaneBiquad()
    var sidechain = (LaneBiquad(), LaneBiquad(), LaneBiquad(), LaneBiquad())
    var air: LaneBiquad?
    let widenedLanes: SIMDMask<SIMD8<Int32>>?
    let width: SIMD8<Float>
    let stereoLanes: SIMDMask<SIMD8<Int32>>
    /// Frames processed since reset: the filters' denormal flushes fall where the processors'
    /// do, at multiples of `StereoBiquad.flushInterval`.
    var framesSinceReset = 0
    var compressorTally = LaneReductionTally()
    var deEsserTally = LaneReductionTally()
    /// Per-frame scratch for the dynamics' passes (levels, then reductions; the de-esser's band).
    let levels: UnsafeMutablePointer<SIMD8<Float>>
    let sibilance: UnsafeMutablePointer<SIMD8<Float>>
    public let maxFrameCount: Int

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
        levels = .allocate(capacity: maxFrameCount)
        levels.initialize(repeating: .zero, count: maxFrameCount)
        sibilance = .allocate(capacity: maxFrameCount)
        sibilance.initialize(repeating: .zero, count: maxFrameCount)
        stereoLanes = layout.stereoLanes
        func lanes(_ values: [Float], idle: Float = 0) -> SIMD8<Float> { layout.lanes(values, idle: idle) }
        func mask(_ included: [Bool]) -> SIMDMask<SIMD8<Int32>>? {
            included.contains(true) ? layout.mask(included) : nil
        }
        func amplitude(_ dB: Double) -> Float { Float(Decibels.toAmplitude(dB)) }

        matchGain = tracks.contains { $0.matchGainDB != nil }
            ? lanes(tracks.map { amplitude($0.matchGainDB ?? 0) }, idle: 1) : nil
        fader = lanes(tracks.map { amplitude($0.faderDB) }, idle: 1)

        // EQ: as many sections as the longest track's; shorter ones pass through identities.
        var sections = [LaneBiquad](repeating: LaneBiquad(), count: tracks.map(\.equalizer.count).max() ?? 0)
        for (position, track) in tracks.enumerated() {
            for (index, eqBand) in track.equalizer.enumerated() {
                let coefficients = eqBand.coefficients(sampleRate: sampleRate)
                for lane in layout.lanes(ofTrack: position) { sections[index].setCoefficients(coefficients, lane: lane) }
            }
        }
        equalizer = sections

        // Compressor: its detector and computer per lane.
        compressorLanes = mask(tracks.map { $0.compressor != nil })
        compressor = Self.dynamics(layout: layout, tracks: tracks, sampleRate: sampleRate) { track in
            track.compressor.map { settings in
                (LevelDetector(mode: settings.detector, attackMs: settings.attackMs, releaseMs: settings.releaseMs),
                 GainComputer(thresholdDB: Float(settings.thresholdDB), ratio: Float(settings.ratio), kneeDB: Float(settings.kneeDB)),
                 Float.infinity)
            }
        }
        makeup = lanes(tracks.map { Float($0.compressor?.makeupDB ?? 0) })

        // Saturation: drive, and the dry/wet mix as the saturator computes it.
        saturatorLanes = mask(tracks.map { $0.saturator != nil })
        let drives = tracks.map { amplitude($0.saturator?.driveDB ?? 0) }
        let mixes = tracks.map { Float($0.saturator?.mix ?? 0) }
        drive = lanes(drives, idle: 1)
        wetScale = lanes(zip(mixes, drives).map { $0 * (1 / $1) })
        dry = lanes(mixes.map { 1 - $0 }, idle: 1)

        // De-esser: the band, the sidechain, the detector and computer (a 2 dB knee), per lane.
        deEsserLanes = mask(tracks.map { $0.deEsser != nil })
        deEsser = Self.dynamics(layout: layout, tracks: tracks, sampleRate: sampleRate) { track in
            track.deEsser.map { settings in
                (LevelDetector(mode: .peak, attackMs: settings.attackMs, releaseMs: settings.releaseMs),
                 GainComputer(thresholdDB: Float(settings.thresholdDB), ratio: Float(settings.ratio), kneeDB: 2),
                 Float(settings.maxReductionDB))
            }
        }
        for (position, track) in tracks.enumerated() {
            guard let settings = track.deEsser else { continue }
            let center = min(settings.centerHz, 0.4 * sampleRate)
            let low = center / 2.0.squareRoot(), high = min(center * 2.0.squareRoot(), 0.45 * sampleRate)
            for channel in layout.lanes(ofTrack: position) {
                band.setCoefficients(.bandPass(centerHz: center, q: settings.q, sampleRate: sampleRate), lane: channel)
                sidechain.0.setCoefficients(.highPass(cutoffHz: low, sampleRate: sampleRate), lane: channel)
                sidechain.1.setCoefficients(.highPass(cutoffHz: low, sampleRate: sampleRate), lane: channel)
                sidechain.2.setCoefficients(.lowPass(cutoffHz: high, sampleRate: sampleRate), lane: channel)
                sidechain.3.setCoefficients(.lowPass(cutoffHz: high, sampleRate: sampleRate), lane: channel)
            }
        }

        // Air: one shelf per lane, identities where a track has none.
        if tracks.contains(where: { $0.air != nil }) {
            var shelf = LaneBiquad()
            for (position, track) in tracks.enumerated() {
                guard let settings = track.air else { continue }
                let coefficients = try Air(settings).coefficients(sampleRate: sampleRate)
                for lane in layout.lanes(ofTrack: position) { shelf.setCoefficients(coefficients, lane: lane) }
            }
            air = shelf
        }

        // Width: only stereo tracks are widened (a mono track's two equal channels have no side).
        widenedLanes = mask(tracks.map { $0.channelCount == 2 && $0.width != 1 })
        width = lanes(tracks.map { Float($0.width) }, idle: 1)
    }

    /// Per-lane dynamics from each track's (detector, computer, maximum reduction), or harmless
    /// values for lanes without the stage.
    private static func dynamics(
        layout: LaneLayout, tracks: [Track], sampleRate: Double,
        parts: (Track) -> (LevelDetector, GainComputer, Float)?
    ) -> LaneDynamics {
        var detectors = [LevelDetector](repeating: LevelDetector(attackMs: 1, releaseMs: 1), count: 8)
        var computers = [GainComputer](repeating: GainComputer(thresholdDB: 0, ratio: 1, kneeDB: 0), count: 8)
        var maximum = [Float](repeating: 0, count: 8)
        for (position, track) in tracks.enumerated() {
            guard let (unprepared, computer, cap) = parts(track) else { continue }
            var detector = unprepared
            detector.prepare(sampleRate: sampleRate)
            for lane in layout.lanes(ofTrack: position) {
                detectors[lane] = detector
                computers[lane] = computer
                maximum[lane] = cap
            }
        }
        return LaneDynamics(detectors: detectors, computers: computers, maxReductionDB: maximum)
    }

    deinit {
        levels.deallocate()
        sibilance.deallocate()
    }

    /// Clears every state; settings stay.
    public func reset() {
        for index in equalizer.indices { equalizer[index].reset() }
        compressor.reset()
        oversampler.reset()
        deEsser.reset()
        band.reset()
        sidechain.0.reset()
        sidechain.1.reset()
        sidechain.2.reset()
        sidechain.3.reset()
        air?.reset()
        framesSinceReset = 0
        compressorTally = LaneReductionTally()
        deEsserTally = LaneReductionTally()
    }

    /// Runs `frameCount` frames in place (`frames[i]` holds frame i of every lane).
    public func process(_ frames: UnsafeMutablePointer<SIMD8<Float>>, frameCount count: Int) {
        precondition(count <= maxFrameCount, "LaneChainBank: block larger than its maxFrameCount")
        if let matchGain { for i in 0..<count { frames[i] *= matchGain } }
        runEqualizer(frames, count: count)
        if let compressorLanes { runCompressor(frames, count: count, lanes: compressorLanes) }
        if let saturatorLanes { runSaturator(frames, count: count, lanes: saturatorLanes) }
        for i in 0..<count { frames[i] *= fader }
        if let deEsserLanes { runDeEsser(frames, count: count, lanes: deEsserLanes) }
        if air != nil { runAir(frames, count: count) }
        if let widenedLanes { runWidener(frames, count: count, lanes: widenedLanes) }
        framesSinceReset += count
    }

    /// Track `track`'s compressor gain reduction over the last block (nil: it has none).
    public func compressorGainReduction(track: Int) -> GainReductionReadout? {
        tracks[track].compressor == nil
            ? nil : compressorTally.readout(lane: layout.trackLanes[track].first)
    }

    /// Track `track`'s de-esser gain reduction over the last block (nil: it has none).
    public func deEsserGainReduction(track: Int) -> GainReductionReadout? {
        tracks[track].deEsser == nil
            ? nil : deEsserTally.readout(lane: layout.trackLanes[track].first)
    }
}
