/// A biquad (transposed direct form II) on eight lanes, each lane with its own coefficients:
/// the same recurrence, step for step, as `StereoBiquad`, so each lane gives the bits a
/// `StereoBiquad` with that lane's coefficients gives.
@usableFromInline
struct LaneBiquad {
    @usableFromInline var b0 = SIMD8<Float>(repeating: 1), b1 = SIMD8<Float>(), b2 = SIMD8<Float>()
    @usableFromInline var a1 = SIMD8<Float>(), a2 = SIMD8<Float>()
    @usableFromInline var state1 = SIMD8<Float>.zero
    @usableFromInline var state2 = SIMD8<Float>.zero

    /// Identity on every lane (b0 = 1): passes each sample through unchanged, exactly.
    @usableFromInline init() {}

    /// Lane `lane` takes `c`; lanes never set stay identities.
    mutating func setCoefficients(_ c: BiquadCoefficients, lane: Int) {
        b0[lane] = Float(c.b0)
        b1[lane] = Float(c.b1)
        b2[lane] = Float(c.b2)
        a1[lane] = Float(c.a1)
        a2[lane] = Float(c.a2)
    }

    mutating func reset() {
        state1 = .zero
        state2 = .zero
    }

    @inlinable @inline(__always)
    mutating func process(_ x: SIMD8<Float>) -> SIMD8<Float> {
        #if MIXDOWN_FMA
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

    /// See `StereoBiquad.flushState()`: at the same fixed positions since reset.
    @inlinable @inline(__always)
    mutating func flushState() {
        state1 = state1.replacing(with: 0, where: (state1 .< 1e-30) .& (state1 .> -1e-30))
        state2 = state2.replacing(with: 0, where: (state2 .< 1e-30) .& (state2 .> -1e-30))
    }
}
