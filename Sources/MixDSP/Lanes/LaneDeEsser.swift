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
        // The detector and computer (a 2 dB knee) as the de-esser builds them.
        dynamics = LaneDynamics(layout: layout, sampleRate: sampleRate, parts: settings.map { settings in
            settings.map { settings in
                (LevelDetector(mode: .peak, attackMs: settings.attackMs, releaseMs: settings.releaseMs),
                 GainComputer(thresholdDB: Float(settings.thresholdDB), ratio: Float(settings.ratio), kneeDB: 2),
                 Float(settings.maxReductionDB))
            }
        })
        for (track, settings) in settings.enumerated() {
            guard let settings else { continue }
            let center = min(settings.centerHz, 0.4 * sampleRate)
            let low = center / 2.0.squareRoot(), high = min(center * 2.0.squareRoot(), 0.45 * sampleRate)
            for lane in layout.lanes(ofTrack: track) {
                band.setCoefficients(.bandPass(centerHz: center, q: settings.q, sampleRate: sampleRate), lane: lane)
                sidechain.0.setCoefficients(.highPass(cutoffHz: low, sampleRate: sampleRate), lane: lane)
                sidechain.1.setCoefficients(.highPass(cutoffHz: low, sampleRate: sampleRate), lane: lane)
                sidechain.2.setCoefficients(.lowPass(cutoffHz: high, sampleRate: sampleRate), lane: lane)
                sidechain.3.setCoefficients(.lowPass(cutoffHz: high, sampleRate: sampleRate), lane: lane)
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
