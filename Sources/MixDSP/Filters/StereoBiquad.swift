/// A biquad (transposed direct form II) running both channels of a stereo signal in the two
/// lanes of a `SIMD2<Float>`, with the same coefficients.
@usableFromInline
struct StereoBiquad {
    @usableFromInline var b0: Float = 1, b1: Float = 0, b2: Float = 0, a1: Float = 0, a2: Float = 0
    @usableFromInline var state1 = SIMD2<Float>.zero
    @usableFromInline var state2 = SIMD2<Float>.zero

    @usableFromInline init() {}

    @usableFromInline
    mutating func setCoefficients(_ c: BiquadCoefficients) {
        (b0, b1, b2, a1, a2) = (Float(c.b0), Float(c.b1), Float(c.b2), Float(c.a1), Float(c.a2))
    }

    @usableFromInline
    mutating func reset() {
        state1 = .zero
        state2 = .zero
    }

    /// Filters one stereo frame. Denormals are not flushed here (a compare and select on
    /// every sample would lengthen the recurrence): the owner calls `flushState()` every
    /// `flushInterval` frames of its own count since reset.
    @inlinable @inline(__always)
    mutating func process(_ x: SIMD2<Float>) -> SIMD2<Float> {
        #if MIXDOWN_FMA
        // Fused: each step of the recurrence is one instruction (8 cycles a sample, not 12).
        let y = state1.addingProduct(b0, x)
        state1 = state2.addingProduct(b1, x).addingProduct(-a1, y)
        state2 = (b2 * x).addingProduct(-a2, y)
        #else
        let y = b0 * x + state1
        state1 = b1 * x - a1 * y + state2
        state2 = b2 * x - a2 * y
        #endif
        return y
    }

    /// How often (in frames since reset) filter states are flushed of denormals.
    @usableFromInline static let flushInterval = 128

    /// Sets states too small to matter (|s| < 1e-30) to zero: a decaying tail must not sink
    /// into denormals, 100× slower on x86. Called at fixed positions since reset, never at
    /// block ends, so the output does not depend on block sizes.
    @inlinable @inline(__always)
    mutating func flushState() {
        state1 = Self.flushDenormals(state1)
        state2 = Self.flushDenormals(state2)
    }

    /// Filters a block in place (mono blocks use the left lane only), without flushing: see
    /// `flushState()`. The same steps as frame by frame (fused where the machine fuses).
    @inlinable
    mutating func process(_ block: AudioBlock) {
        let (left, right) = (block.left, block.right)
        var filter = self
        if block.channelCount == 1 {
            for i in 0..<block.frameCount { left[i] = filter.process(SIMD2(left[i], 0)).x }
        } else {
            for i in 0..<block.frameCount {
                let y = filter.process(SIMD2(left[i], right[i]))
                left[i] = y.x
                right[i] = y.y
            }
        }
        self = filter
    }

    @inlinable @inline(__always)
    static func flushDenormals(_ v: SIMD2<Float>) -> SIMD2<Float> {
        v.replacing(with: 0, where: (v .< 1e-30) .& (v .> -1e-30))
    }
}
