import MixDSP

/// Passes over a stereo block for a meter frame: the sum of squares of both channels, the
/// sample peak, and the mid signal (½(L + R)) the spectrum is taken from. Eight frames at a
/// time, in eight partial sums: a single running sum or maximum waits on itself every sample,
/// and the optimizer may not reorder floating-point sums on its own.
public enum StereoBlockLevels {
    /// Measures `frameCount` frames of `left`/`right` and writes their mid to `mid`.
    public static func measure(
        left: UnsafePointer<Float>, right: UnsafePointer<Float>, frameCount: Int, mid: UnsafeMutablePointer<Float>
    ) -> (sumOfSquares: Float, peak: Float) {
        let (l, r, m) = (UnsafeRawPointer(left), UnsafeRawPointer(right), UnsafeMutableRawPointer(mid))
        var squares = SIMD8<Float>.zero
        var peaks = SIMD8<Float>.zero
        var i = 0
        while i + 8 <= frameCount {
            let a = l.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            let b = r.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            squares += a * a + b * b
            peaks = peaks.laneMax(a.magnitude).laneMax(b.magnitude)
            m.storeBytes(of: 0.5 * (a + b), toByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        var sumOfSquares = squares.sum()
        var peak = peaks.max()
        while i < frameCount {
            let (a, b) = (left[i], right[i])
            sumOfSquares += a * a + b * b
            peak = max(peak, max(abs(a), abs(b)))
            mid[i] = 0.5 * (a + b)
            i += 1
        }
        return (sumOfSquares, peak)
    }

    /// The sample peak of `frameCount` frames of `left`/`right`.
    public static func peak(left: UnsafePointer<Float>, right: UnsafePointer<Float>, frameCount: Int) -> Float {
        let (l, r) = (UnsafeRawPointer(left), UnsafeRawPointer(right))
        var peaks = SIMD8<Float>.zero
        var i = 0
        while i + 8 <= frameCount {
            peaks = peaks
                .laneMax(l.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self).magnitude)
                .laneMax(r.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self).magnitude)
            i += 8
        }
        var peak = peaks.max()
        while i < frameCount {
            peak = max(peak, max(abs(left[i]), abs(right[i])))
            i += 1
        }
        return peak
    }

    /// Σ L·R, Σ L² and Σ R² of `frameCount` frames: what the L/R correlation is made of.
    public static func products(
        left: UnsafePointer<Float>, right: UnsafePointer<Float>, frameCount: Int
    ) -> (lr: Float, ll: Float, rr: Float) {
        let (l, r) = (UnsafeRawPointer(left), UnsafeRawPointer(right))
        var (lr, ll, rr) = (SIMD8<Float>.zero, SIMD8<Float>.zero, SIMD8<Float>.zero)
        var i = 0
        while i + 8 <= frameCount {
            let a = l.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            let b = r.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            lr += a * b
            ll += a * a
            rr += b * b
            i += 8
        }
        var sums = (lr: lr.sum(), ll: ll.sum(), rr: rr.sum())
        while i < frameCount {
            sums.lr += left[i] * right[i]
            sums.ll += left[i] * left[i]
            sums.rr += right[i] * right[i]
            i += 1
        }
        return sums
    }
}
