/// The track chain (SPEC §3: loudness match → EQ → compressor → saturation → fader →
/// de-esser → air → widen) of up to eight channels of several tracks at once, one channel per
/// lane of a `SIMD8<Float>` (`LaneLayout`), each lane with its own track's settings.
///
/// A stereo track's chain runs its two channels side by side in two lanes of a `SIMD2`; its
/// filters wait on their own recurrences, so the other six lanes the vector unit has sit idle.
/// Here they are filled with other tracks' channels (a mono stem takes one lane, not two equal
/// ones): the same work in a fraction of the time. Every step is the step the track's own
/// processors take (`Equalizer`, `Compressor`, `Saturator`, `Gain`, `DeEsser`, `Air`,
/// `StereoWidener`), on the lane's values, so each lane's output is bit for bit what they give
/// (tested), and so are the gain-reduction readouts.
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
    private let tracks: [Track]
    private let matchGain: SIMD8<Float>?
    private let fader: SIMD8<Float>
    private var equalizer: [LaneBiquad]
    private let compressorLanes: SIMDMask<SIMD8<Int32>>?
    private var compressor: LaneDynamics
    private let makeup: SIMD8<Float>
    private let saturatorLanes: SIMDMask<SIMD8<Int32>>?
    private var oversampler = LaneOversampler()
    private let drive: SIMD8<Float>, wetScale: SIMD8<Float>, dry: SIMD8<Float>
    private let deEsserLanes: SIMDMask<SIMD8<Int32>>?
    private var deEsser: LaneDynamics
    private var band = LaneBiquad()
    private var sidechain = (LaneBiquad(), LaneBiquad(), LaneBiquad(), LaneBiquad())
    private var air: LaneBiquad?
    private let widenedLanes: SIMDMask<SIMD8<Int32>>?
    private let width: SIMD8<Float>
    private let stereoLanes: SIMDMask<SIMD8<Int32>>
    /// Frames processed since reset: the filters' denormal flushes fall where the processors'
    /// do, at multiples of `StereoBiquad.flushInterval`.
    private var framesSinceReset = 0
    private var compressorTally = LaneReductionTally()
    private var deEsserTally = LaneReductionTally()
    /// Per-frame scratch for the dynamics' passes (levels, then reductions; the de-esser's band).
    private let levels: UnsafeMutablePointer<SIMD8<Float>>
    private let sibilance: UnsafeMutablePointer<SIMD8<Float>>
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

    // MARK: Stages

    /// Calls `body(start, end)` for the stretches of `count` frames between the denormal flush
    /// points, `flush()` at each point (where the processors flush theirs).
    @inline(__always)
    private func stretches(count: Int, flush: () -> Void, _ body: (Int, Int) -> Void) {
        let interval = StereoBiquad.flushInterval
        var start = 0
        while start < count {
            let phase = (framesSinceReset + start) % interval
            if phase == 0 { flush() }
            let end = min(count, start + interval - phase)
            body(start, end)
            start = end
        }
    }

    private func runEqualizer(_ frames: UnsafeMutablePointer<SIMD8<Float>>, count: Int) {
        // Groups of up to four sections in one loop, each group's states held in registers.
        var first = 0
        while first < equalizer.count {
            let group = min(4, equalizer.count - first)
            var a = equalizer[first]
            var b = group > 1 ? equalizer[first + 1] : LaneBiquad()
            var c = group > 2 ? equalizer[first + 2] : LaneBiquad()
            var d = group > 3 ? equalizer[first + 3] : LaneBiquad()
            stretches(count: count, flush: {
                a.flushState()
                b.flushState()
                c.flushState()
                d.flushState()
            }) { start, end in
                switch group {
                case 4: for i in start..<end { frames[i] = d.process(c.process(b.process(a.process(frames[i])))) }
                case 3: for i in start..<end { frames[i] = c.process(b.process(a.process(frames[i]))) }
                case 2: for i in start..<end { frames[i] = b.process(a.process(frames[i])) }
                default: for i in start..<end { frames[i] = a.process(frames[i]) }
                }
            }
            equalizer[first] = a
            if group > 1 { equalizer[first + 1] = b }
            if group > 2 { equalizer[first + 2] = c }
            if group > 3 { equalizer[first + 3] = d }
            first += group
        }
    }

    /// In passes, as the compressor runs them: levels and ballistics, then reduction and gain,
    /// then the block's tally of reductions.
    private func runCompressor(_ frames: UnsafeMutablePointer<SIMD8<Float>>, count: Int, lanes: SIMDMask<SIMD8<Int32>>) {
        let (levels, makeup) = (self.levels, makeup)
        compressor.detect(frames, into: levels, count: count, stereo: stereoLanes)
        compressor.reduce(levels, count: count)
        for i in 0..<count {
            let x = frames[i]
            frames[i] = x.replacing(with: x * FastMath.amplitude(makeup - levels[i]), where: lanes)
        }
        compressorTally = LaneReductionTally(levels, count: count)
    }

    private func runSaturator(_ frames: UnsafeMutablePointer<SIMD8<Float>>, count: Int, lanes: SIMDMask<SIMD8<Int32>>) {
        var oversampler = self.oversampler
        let (drive, wetScale, dry) = (drive, wetScale, dry)
        stretches(count: count, flush: {
            oversampler.flushUp()
            oversampler.flushDown()
        }) { start, end in
            for i in start..<end {
                let x = frames[i]
                let (even, odd) = oversampler.upsample(x)
                // `Saturator.shape` on both frames at twice the rate, written out: the same steps.
                var clampedEven = (drive * even).replacing(with: -3, where: drive * even .< -3)
                clampedEven.replace(with: 3, where: clampedEven .> 3)
                var clampedOdd = (drive * odd).replacing(with: -3, where: drive * odd .< -3)
                clampedOdd.replace(with: 3, where: clampedOdd .> 3)
                let squaredEven = clampedEven * clampedEven, squaredOdd = clampedOdd * clampedOdd
                let numeratorEven: SIMD8<Float> = clampedEven * (27 + squaredEven)
                let numeratorOdd: SIMD8<Float> = clampedOdd * (27 + squaredOdd)
                let denominatorEven: SIMD8<Float> = 27 + 9 * squaredEven
                let denominatorOdd: SIMD8<Float> = 27 + 9 * squaredOdd
                var shapedEven = numeratorEven / denominatorEven, shapedOdd = numeratorOdd / denominatorOdd
                shapedEven.replace(with: -1, where: shapedEven .< -1)
                shapedEven.replace(with: 1, where: shapedEven .> 1)
                shapedOdd.replace(with: -1, where: shapedOdd .< -1)
                shapedOdd.replace(with: 1, where: shapedOdd .> 1)
                let y = oversampler.downsample(even: wetScale * shapedEven + dry * even, odd: wetScale * shapedOdd + dry * odd)
                frames[i] = x.replacing(with: y, where: lanes)
            }
        }
        self.oversampler = oversampler
    }

    /// In passes, as the de-esser runs them: the band and the sidechain's level, then the
    /// reduction and the cut, then the block's tally.
    private func runDeEsser(_ frames: UnsafeMutablePointer<SIMD8<Float>>, count: Int, lanes: SIMDMask<SIMD8<Int32>>) {
        var bandFilter = band
        var (s0, s1, s2, s3) = sidechain
        let (levels, sibilance) = (self.levels, self.sibilance)
        stretches(count: count, flush: {
            bandFilter.flushState()
            s0.flushState()
            s1.flushState()
            s2.flushState()
            s3.flushState()
        }) { start, end in
            for i in start..<end {
                let x = frames[i]
                sibilance[i] = bandFilter.process(x)
                levels[i] = s3.process(s2.process(s1.process(s0.process(x))))
            }
        }
        band = bandFilter
        sidechain = (s0, s1, s2, s3)
        deEsser.detect(levels, into: levels, count: count, stereo: stereoLanes)
        deEsser.reduce(levels, count: count)
        for i in 0..<count {
            let x = frames[i]
            let cut = 1 - FastMath.amplitude(-levels[i])
            frames[i] = x.replacing(with: x - cut * sibilance[i], where: lanes)
        }
        deEsserTally = LaneReductionTally(levels, count: count)
    }

    private func runAir(_ frames: UnsafeMutablePointer<SIMD8<Float>>, count: Int) {
        guard var shelf = air else { return }
        stretches(count: count, flush: { shelf.flushState() }) { start, end in
            for i in start..<end { frames[i] = shelf.process(frames[i]) }
        }
        air = shelf
    }

    private func runWidener(_ frames: UnsafeMutablePointer<SIMD8<Float>>, count: Int, lanes: SIMDMask<SIMD8<Int32>>) {
        // Lanes 0–3 hold the stereo tracks' left channels, 4–7 their right ones: mid and side
        // as `StereoWidener` computes them, on four pairs at once.
        let width = width.lowHalf
        for i in 0..<count {
            let x = frames[i]
            let (left, right) = (x.lowHalf, x.highHalf)
            let mid = 0.5 * (left + right)
            let side = 0.5 * (left - right) * width
            frames[i] = x.replacing(with: SIMD8(lowHalf: mid + side, highHalf: mid - side), where: lanes)
        }
    }
}
