/// The compressor stage on eight lanes, in the compressor's own passes: levels and ballistics,
/// then reduction and gain (with makeup), then the block's tally of reductions. Lanes of tracks
/// without a compressor pass through.
struct LaneCompressor {
    private var dynamics: LaneDynamics
    private let makeup: SIMD8<Float>
    private let lanes: SIMDMask<SIMD8<Int32>>
    private(set) var tally = LaneReductionTally()

    /// Each track's compressor (nil: none); nil when no track has one.
    init?(_ settings: [Compressor.Settings?], layout: LaneLayout, sampleRate: Double) {
        guard settings.contains(where: { $0 != nil }) else { return nil }
        dynamics = LaneDynamics(layout: layout, sampleRate: sampleRate, parts: settings.map { settings in
            settings.map { settings in
                (LevelDetector(mode: settings.detector, attackMs: settings.attackMs, releaseMs: settings.releaseMs),
                 GainComputer(thresholdDB: Float(settings.thresholdDB), ratio: Float(settings.ratio), kneeDB: Float(settings.kneeDB)),
                 Float.infinity)
            }
        })
        makeup = layout.lanes(settings.map { Float($0?.makeupDB ?? 0) }, idle: 0)
        lanes = layout.mask(settings.map { $0 != nil })
    }

    mutating func reset() {
        dynamics.reset()
        tally = LaneReductionTally()
    }

    /// Compresses `count` frames in place; `levels` is scratch for as many frames.
    mutating func process(
        _ frames: UnsafeMutablePointer<SIMD8<Float>>, count: Int, levels: UnsafeMutablePointer<SIMD8<Float>>,
        stereo: SIMDMask<SIMD8<Int32>>
    ) {
        let (makeup, lanes) = (makeup, lanes)
        dynamics.detect(frames, into: levels, count: count, stereo: stereo)
        dynamics.reduce(levels, count: count)
        for i in 0..<count {
            let x = frames[i]
            frames[i] = x.replacing(with: x * FastMath.amplitude(makeup - levels[i]), where: lanes)
        }
        tally = LaneReductionTally(levels, count: count)
    }
}
