/// The de-esser stage on eight lanes, in the de-esser's own passes: the sibilant band and the
/// sidechain's level, then the reduction (capped) and the cut `x − (1 − g)·band`, then the
/// block's tally. Lanes of tracks without a de-esser pass through.
struct LaneDeEsser {
    private var dynamics: LaneDynamics
    private var band = LaneBiquad()
    private var sidechain = (LaneBiquad(), LaneBiquad(), LaneBiquad(), LaneBiquad())
    private let lanes: SIMDMask<SIMD8<Int32>>
    private(set) var tally = LaneReductionTally()

    /// Each track's de-esser (nil: none); nil when no track has one.
    init?(_ settings: [DeEsser.Settings?], layout: LaneLayout, sampleRate: Double) {
        guard settings.contains(where: { $0 != nil }) else { return nil }
        // The detector, computer and filters the de-esser builds from the same settings.
        dynamics = LaneDynamics(layout: layout, sampleRate: sampleRate, parts: settings.map { settings in
            settings.map { ($0.levelDetector, $0.gainComputer, Float($0.maxReductionDB)) }
        })
        for (track, settings) in settings.enumerated() {
            guard let filters = settings?.filters(sampleRate: sampleRate) else { continue }
            for lane in layout.lanes(ofTrack: track) {
                band.setCoefficients(filters.band, lane: lane)
                sidechain.0.setCoefficients(filters.sidechain[0], lane: lane)
                sidechain.1.setCoefficients(filters.sidechain[1], lane: lane)
                sidechain.2.setCoefficients(filters.sidechain[2], lane: lane)
                sidechain.3.setCoefficients(filters.sidechain[3], lane: lane)
            }
        }
        lanes = layout.mask(settings.map { $0 != nil })
    }

    mutating func reset() {
        dynamics.reset()
        band.reset()
        sidechain.0.reset()
        sidechain.1.reset()
        sidechain.2.reset()
        sidechain.3.reset()
        tally = LaneReductionTally()
    }

    /// De-esses `count` frames in place; the block starts `framesSinceReset` frames after reset;
    /// `levels` and `sibilance` are scratch for as many frames.
    mutating func process(
        _ frames: UnsafeMutablePointer<SIMD8<Float>>, count: Int, framesSinceReset: Int,
        levels: UnsafeMutablePointer<SIMD8<Float>>, sibilance: UnsafeMutablePointer<SIMD8<Float>>,
        stereo: SIMDMask<SIMD8<Int32>>
    ) {
        var bandFilter = band
        var (s0, s1, s2, s3) = sidechain
        LaneFlushPoints.stretches(from: framesSinceReset, count: count, flush: {
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
        dynamics.detect(levels, into: levels, count: count, stereo: stereo)
        dynamics.reduce(levels, count: count)
        let lanes = lanes
        for i in 0..<count {
            let x = frames[i]
            let cut = 1 - FastMath.amplitude(-levels[i])
            frames[i] = x.replacing(with: x - cut * sibilance[i], where: lanes)
        }
        tally = LaneReductionTally(levels, count: count)
    }
}
