/// Finds the true (inter-sample) peak of one channel as it streams past: each new sample
/// yields the largest magnitude of the band-limited signal over one sample interval, read from
/// a 4× polyphase interpolation (ITU-R BS.1770-4 Annex 2) and refined by a parabola through
/// the three highest interpolated points, so even a peak between the 4× points is found
/// within a few thousandths of a dB. The interval reported lags the input by `delayFrames`.
public struct TruePeakDetector {
    public static let factor = 4
    public static let tapsPerPhase = 32
    /// Samples between the newest input and the start of the interval reported.
    public static let delayFrames = tapsPerPhase / 2

    @usableFromInline let coefficients: UnsafeMutablePointer<Float>
    @usableFromInline let history: UnsafeMutablePointer<Float>
    @usableFromInline var writeIndex = 0
    /// The interpolated value a quarter sample before the current interval (for the parabola).
    @usableFromInline var previousLastPoint: Float = 0

    /// Allocates the filter and history (outside the hot path).
    public init() {
        let filter = InterpolationFilter(factor: Self.factor, tapsPerPhase: Self.tapsPerPhase)
        coefficients = .allocate(capacity: Self.factor * Self.tapsPerPhase)
        for phase in 0..<Self.factor {
            for tap in 0..<Self.tapsPerPhase {
                coefficients[phase * Self.tapsPerPhase + tap] = filter.phases[phase][tap]
            }
        }
        history = .allocate(capacity: 2 * Self.tapsPerPhase)
        history.initialize(repeating: 0, count: 2 * Self.tapsPerPhase)
    }

    /// Frees the buffers; call once when the owner goes.
    public func deallocate() {
        coefficients.deallocate()
        history.deallocate()
    }

    public mutating func reset() {
        history.update(repeating: 0, count: 2 * Self.tapsPerPhase)
        writeIndex = 0
        previousLastPoint = 0
    }

    /// Takes the next sample and returns the true peak magnitude of the interval that starts
    /// `delayFrames` samples earlier.
    @inlinable @inline(__always)
    public mutating func push(_ sample: Float) -> Float {
        let taps = Self.tapsPerPhase
        // The history is stored twice, so the newest `taps` samples are always contiguous.
        history[writeIndex] = sample
        history[writeIndex + taps] = sample
        writeIndex += 1
        if writeIndex == taps { writeIndex = 0 }
        let window = UnsafeRawPointer(history + writeIndex)
        let center = history[writeIndex + taps / 2 - 1]
        let next = history[writeIndex + taps / 2]
        var points = SIMD8<Float>(previousLastPoint, center, 0, 0, 0, next, 0, 0)
        for phase in 1..<Self.factor {
            let weights = UnsafeRawPointer(coefficients + phase * taps)
            var acc = SIMD8<Float>.zero
            var offset = 0
            while offset < taps * 4 {
                acc += window.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                    * weights.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                offset += 32
            }
            points[phase + 1] = acc.sum()
        }
        previousLastPoint = points[4]
        return Self.refinedPeak(points)
    }

    /// The largest magnitude among points 1…4 (the interval), refined by a parabola through the
    /// best point and its neighbours (points 0…5).
    @inlinable @inline(__always)
    static func refinedPeak(_ points: SIMD8<Float>) -> Float {
        var best = 1
        var bestValue = abs(points[1])
        for index in 2...4 where abs(points[index]) > bestValue {
            best = index
            bestValue = abs(points[index])
        }
        let sign: Float = points[best] < 0 ? -1 : 1
        let before = points[best - 1] * sign, peak = points[best] * sign, after = points[best + 1] * sign
        let curvature = before - 2 * peak + after
        guard curvature < 0, before <= peak, after <= peak else { return bestValue }
        let shift = 0.5 * (before - after) / curvature
        return max(bestValue, peak - 0.25 * (before - after) * shift)
    }
}
