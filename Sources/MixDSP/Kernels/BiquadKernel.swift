/// One biquad section, transposed direct form II, on the lanes of `V`: the one recurrence every
/// filter of the chains runs. `StereoBiquad` (both channels of a stereo signal, one set of
/// coefficients) and `LaneBiquad` (the track bank's eight lanes, each with its own) are this
/// type, so a lane gives the bits a stereo filter with its coefficients gives.
@usableFromInline
struct BiquadKernel<V: LaneVector> {
    @usableFromInline var b0 = V(repeating: 1), b1 = V(repeating: 0), b2 = V(repeating: 0)
    @usableFromInline var a1 = V(repeating: 0), a2 = V(repeating: 0)
    @usableFromInline var state1 = V(repeating: 0)
    @usableFromInline var state2 = V(repeating: 0)

    /// Identity on every lane (b0 = 1): passes each sample through unchanged, exactly.
    @usableFromInline init() {}

    /// Every lane takes `c`.
    @usableFromInline
    mutating func setCoefficients(_ c: BiquadCoefficients) {
        (b0, b1, b2) = (V(repeating: Float(c.b0)), V(repeating: Float(c.b1)), V(repeating: Float(c.b2)))
        (a1, a2) = (V(repeating: Float(c.a1)), V(repeating: Float(c.a2)))
    }

    @usableFromInline
    mutating func reset() {
        state1 = V(repeating: 0)
        state2 = V(repeating: 0)
    }

    /// Filters one sample on every lane. Denormals are not flushed here: the owner calls
    /// `flushState()` at `Denormals.interval` frames of its own count since reset.
    @inlinable @inline(__always)
    mutating func process(_ x: V) -> V {
        // Each step of the recurrence is one fused instruction where the machine fuses
        // (8 cycles a sample, not 12).
        let y = V.fusedAdd(state1, b0, x)
        state1 = V.fusedAdd(V.fusedAdd(state2, b1, x), -a1, y)
        state2 = V.fusedAdd(b2 * x, -a2, y)
        return y
    }

    /// Sets states too small to matter to zero (see `Denormals`).
    @inlinable @inline(__always)
    mutating func flushState() {
        state1 = Denormals.flushed(state1)
        state2 = Denormals.flushed(state2)
    }
}

extension BiquadKernel where V: SIMD, V.Scalar == Float {
    /// Lane `lane` takes `c`; lanes never set stay identities.
    mutating func setCoefficients(_ c: BiquadCoefficients, lane: Int) {
        b0[lane] = Float(c.b0)
        b1[lane] = Float(c.b1)
        b2[lane] = Float(c.b2)
        a1[lane] = Float(c.a1)
        a2[lane] = Float(c.a2)
    }
}

/// Both channels of a stereo signal in the two lanes, with the same coefficients.
@usableFromInline typealias StereoBiquad = BiquadKernel<SIMD2<Float>>

/// The track bank's eight lanes, each with its own coefficients.
@usableFromInline typealias LaneBiquad = BiquadKernel<SIMD8<Float>>

extension BiquadKernel where V == SIMD2<Float> {
    /// Filters a block in place (mono blocks use the left lane only), without flushing: see
    /// `flushState()`. The same steps as frame by frame.
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
}
