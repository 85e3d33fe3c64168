/// The saturation stage on eight lanes: `Saturator`'s steps (2× oversampling, the Padé curve at
/// each lane's drive, the dry/wet mix at the oversampled rate), one pass over the block. Lanes of
/// tracks without saturation pass through.
struct LaneSaturator {
    private var oversampler = LaneOversampler()
    private let drive: SIMD8<Float>, wetScale: SIMD8<Float>, dry: SIMD8<Float>
    private let lanes: SIMDMask<SIMD8<Int32>>

    /// Each track's saturator (nil: none); nil when no track has one.
    init?(_ settings: [Saturator.Settings?], layout: LaneLayout) {
        guard settings.contains(where: { $0 != nil }) else { return nil }
        // Drive, and the mix as the saturator computes it.
        let drives = settings.map { Float(Decibels.toAmplitude($0?.driveDB ?? 0)) }
        let mixes = settings.map { Float($0?.mix ?? 0) }
        drive = layout.lanes(drives, idle: 1)
        wetScale = layout.lanes(zip(mixes, drives).map { $0 * (1 / $1) }, idle: 0)
        dry = layout.lanes(mixes.map { 1 - $0 }, idle: 1)
        lanes = layout.mask(settings.map { $0 != nil })
    }

    mutating func reset() {
        oversampler.reset()
    }

    /// Saturates `count` frames in place; the block starts `framesSinceReset` frames after reset.
    mutating func process(_ frames: UnsafeMutablePointer<SIMD8<Float>>, count: Int, framesSinceReset: Int) {
        var oversampler = self.oversampler
        let (drive, wetScale, dry, lanes) = (drive, wetScale, dry, lanes)
        LaneFlushPoints.stretches(from: framesSinceReset, count: count, flush: {
            oversampler.flushUp()
            oversampler.flushDown()
        }) { start, end in
            for i in start..<end {
                let x = frames[i]
                let (even, odd) = oversampler.upsample(x)
                // The saturator's curve on both frames at twice the rate.
                let shapedEven = PadeSaturation.shape(drive * even), shapedOdd = PadeSaturation.shape(drive * odd)
                let y = oversampler.downsample(even: wetScale * shapedEven + dry * even, odd: wetScale * shapedOdd + dry * odd)
                frames[i] = x.replacing(with: y, where: lanes)
            }
        }
        self.oversampler = oversampler
    }
}
