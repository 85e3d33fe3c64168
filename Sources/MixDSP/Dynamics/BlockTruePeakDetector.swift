import Foundation

/// The limiter's true-peak detection for a whole block at once: the same 4× polyphase
/// interpolation and parabola as `TruePeakDetector`, computed for eight consecutive samples at a
/// time (each tap multiplies eight shifted inputs), with no horizontal sums and no branches.
/// For each input sample it gives the true peak of the interval `delayFrames` earlier.
struct BlockTruePeakDetector {
    static let taps = TruePeakDetector.tapsPerPhase  // even: the taps are summed in pairs
    static let delayFrames = TruePeakDetector.delayFrames

    /// Filtered samples: `taps` of history, then the block, then 8 of slack for the last chunk.
    let samples: UnsafeMutablePointer<Float>
    /// The third phase's values, one before the block (the previous block's last) then the block's.
    private let lastPhase: UnsafeMutablePointer<Float>
    private let coefficients: UnsafeMutablePointer<Float>
    private let capacity: Int
    /// `taps`, read at run time: with a constant count the tap loop is unrolled whole, and the
    /// optimizer then stitches the overlapping loads of neighbouring taps together from
    /// shuffles and single-lane operations, which ran the detector three times slower.
    private let tapCount: Int

    init(maxFrameCount: Int) {
        capacity = maxFrameCount
        tapCount = Self.taps
        let taps = Self.taps
        samples = .allocate(capacity: taps + maxFrameCount + 8)
        samples.initialize(repeating: 0, count: taps + maxFrameCount + 8)
        lastPhase = .allocate(capacity: maxFrameCount + 9)
        lastPhase.initialize(repeating: 0, count: maxFrameCount + 9)
        let filter = InterpolationFilter(factor: TruePeakDetector.factor, tapsPerPhase: taps)
        coefficients = .allocate(capacity: 3 * taps)
        for phase in 1...3 {
            for tap in 0..<taps { coefficients[(phase - 1) * taps + tap] = filter.phases[phase][tap] }
        }
    }

    func deallocate() {
        samples.deallocate()
        lastPhase.deallocate()
        coefficients.deallocate()
    }

    func reset() {
        samples.update(repeating: 0, count: Self.taps + capacity + 8)
        lastPhase.update(repeating: 0, count: capacity + 9)
    }

    /// Where the caller writes the block's (band-limited) samples before `detect`.
    var blockStart: UnsafeMutablePointer<Float> { samples + Self.taps }

    /// Writes the true peak magnitude for each of the block's `count` samples into `peaks`
    /// (taking the larger with what is there when `combine` is set). The block's samples stay
    /// readable at `blockStart` until `finish(count:)`.
    func detect(count: Int, into peaks: UnsafeMutablePointer<Float>, combine: Bool) {
        let taps = Self.taps
        let half = taps / 2
        let loopTaps = tapCount
        var n = 0
        while n < count {
            // The three interpolated phases for samples n…n+7 (window of sample m: m+1 … m+taps).
            // Even and odd taps go to separate sums: six independent chains of 16 steps keep the
            // multiply-add units busy, where three chains of 32 waited on each other's latency.
            var p1 = SIMD8<Float>.zero, p2 = SIMD8<Float>.zero, p3 = SIMD8<Float>.zero
            var q1 = SIMD8<Float>.zero, q2 = SIMD8<Float>.zero, q3 = SIMD8<Float>.zero
            let base = UnsafeRawPointer(samples + n + 1)
            var j = 0
            while j < loopTaps {
                let x = base.loadUnaligned(fromByteOffset: 4 * j, as: SIMD8<Float>.self)
                let y = base.loadUnaligned(fromByteOffset: 4 * (j + 1), as: SIMD8<Float>.self)
                p1 = .fusedAdd(p1, SIMD8(repeating: coefficients[j]), x)
                p2 = .fusedAdd(p2, SIMD8(repeating: coefficients[taps + j]), x)
                p3 = .fusedAdd(p3, SIMD8(repeating: coefficients[2 * taps + j]), x)
                q1 = .fusedAdd(q1, SIMD8(repeating: coefficients[j + 1]), y)
                q2 = .fusedAdd(q2, SIMD8(repeating: coefficients[taps + j + 1]), y)
                q3 = .fusedAdd(q3, SIMD8(repeating: coefficients[2 * taps + j + 1]), y)
                j += 2
            }
            p1 += q1
            p2 += q2
            p3 += q3
            UnsafeMutableRawPointer(lastPhase + n + 1).storeBytes(of: p3, as: SIMD8<Float>.self)
            let v0 = UnsafeRawPointer(lastPhase + n).loadUnaligned(as: SIMD8<Float>.self)
            let v1 = UnsafeRawPointer(samples + n + half).loadUnaligned(as: SIMD8<Float>.self)
            let v5 = UnsafeRawPointer(samples + n + half + 1).loadUnaligned(as: SIMD8<Float>.self)
            var peak = Self.refinedPeak(v0, v1, p1, p2, p3, v5)
            if combine {
                let other = UnsafeRawPointer(peaks + n).loadUnaligned(as: SIMD8<Float>.self)
                peak.replace(with: other, where: other .> peak)
            }
            UnsafeMutableRawPointer(peaks + n).storeBytes(of: peak, as: SIMD8<Float>.self)
            n += 8
        }
    }

    /// Keeps the last `taps` samples and the last third-phase value for the next block.
    func finish(count: Int) {
        memmove(samples, samples + count, Self.taps * MemoryLayout<Float>.stride)
        lastPhase[0] = lastPhase[count]
    }

    @inline(__always)
    static func magnitude(_ v: SIMD8<Float>) -> SIMD8<Float> {
        v.replacing(with: -v, where: v .< 0)
    }

    /// The largest magnitude among points 1…4 refined by a parabola through the best point and
    /// its neighbours (`TruePeakDetector.refinedPeak`, lane by lane).
    @inline(__always)
    static func refinedPeak(
        _ v0: SIMD8<Float>, _ v1: SIMD8<Float>, _ v2: SIMD8<Float>, _ v3: SIMD8<Float>, _ v4: SIMD8<Float>,
        _ v5: SIMD8<Float>
    ) -> SIMD8<Float> {
        var best = magnitude(v1)
        var (before, peak, after) = (v0, v1, v2)
        // Lanes whose next point is larger move their (before, peak, after) along; a local
        // function would capture these by reference, which allocates in a debug build.
        var size = magnitude(v2)
        var larger = size .> best
        best.replace(with: size, where: larger)
        before.replace(with: v1, where: larger); peak.replace(with: v2, where: larger); after.replace(with: v3, where: larger)
        size = magnitude(v3)
        larger = size .> best
        best.replace(with: size, where: larger)
        before.replace(with: v2, where: larger); peak.replace(with: v3, where: larger); after.replace(with: v4, where: larger)
        size = magnitude(v4)
        larger = size .> best
        best.replace(with: size, where: larger)
        before.replace(with: v3, where: larger); peak.replace(with: v4, where: larger); after.replace(with: v5, where: larger)
        let negative = peak .< 0
        before.replace(with: -before, where: negative)
        peak.replace(with: -peak, where: negative)
        after.replace(with: -after, where: negative)
        let curvature = before - 2 * peak + after
        let valid = (curvature .< 0) .& (before .<= peak) .& (after .<= peak)
        let safeCurvature = curvature.replacing(with: -1, where: .!valid)
        let shift = 0.5 * (before - after) / safeCurvature
        let refined = peak - 0.25 * (before - after) * shift
        best.replace(with: refined, where: valid .& (refined .> best))
        return best
    }
}
