/// 2× up- and down-sampling of a stereo signal through polyphase IIR half-band filters
/// (`HalfbandAllpassDesign`: 8 coefficients, flat to about 0.24 of the oversampled rate and
/// below −90 dB from about 0.265), so a nonlinearity can run at twice the rate without aliasing.
///
/// The two polyphase branches are independent, so both run at once in the lanes of one
/// `SIMD4<Float>`: (left, right) of the even branch, then (left, right) of the odd one.
@usableFromInline
struct HalfbandOversampler {
    @usableFromInline static let sectionsPerBranch = 4
    @usableFromInline static let design: [Float] = HalfbandAllpassDesign
        .coefficients(count: 2 * sectionsPerBranch, transitionWidth: 0.03).map(Float.init)

    /// Four first-order allpass sections `y = a·(x − y₁) + x₁` on four lanes.
    @usableFromInline
    struct Chain {
        @usableFromInline let a: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>)
        @usableFromInline var x1: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) = (.zero, .zero, .zero, .zero)
        @usableFromInline var y1: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) = (.zero, .zero, .zero, .zero)

        @usableFromInline init() {
            let d = HalfbandOversampler.design
            // Lanes 0–1: the even branch's coefficients (d[0], d[2], …); lanes 2–3: the odd one's.
            func lanes(_ k: Int) -> SIMD4<Float> { SIMD4(d[2 * k], d[2 * k], d[2 * k + 1], d[2 * k + 1]) }
            a = (lanes(0), lanes(1), lanes(2), lanes(3))
        }

        @inlinable @inline(__always)
        static func flush(_ v: SIMD4<Float>) -> SIMD4<Float> {
            v.replacing(with: 0, where: (v .< 1e-30) .& (v .> -1e-30))
        }

        @usableFromInline mutating func reset() {
            x1 = (.zero, .zero, .zero, .zero)
            y1 = (.zero, .zero, .zero, .zero)
        }

        /// Each section as `y = (x₁ + a·x) − a·y₁`: only the last multiply-subtract waits on
        /// the previous output, which halves the recurrence the processor must wait for.
        @inlinable @inline(__always)
        mutating func process(_ input: SIMD4<Float>) -> SIMD4<Float> {
            var x = input
            #if MIXDOWN_FMA
            // Fused: the recurrence on each section's last output is one instruction.
            var y = x1.0.addingProduct(a.0, x).addingProduct(-a.0, y1.0)
            x1.0 = x; y1.0 = y; x = y
            y = x1.1.addingProduct(a.1, x).addingProduct(-a.1, y1.1)
            x1.1 = x; y1.1 = y; x = y
            y = x1.2.addingProduct(a.2, x).addingProduct(-a.2, y1.2)
            x1.2 = x; y1.2 = y; x = y
            y = x1.3.addingProduct(a.3, x).addingProduct(-a.3, y1.3)
            x1.3 = x; y1.3 = y
            #else
            var y = (x1.0 + a.0 * x) - a.0 * y1.0
            x1.0 = x; y1.0 = y; x = y
            y = (x1.1 + a.1 * x) - a.1 * y1.1
            x1.1 = x; y1.1 = y; x = y
            y = (x1.2 + a.2 * x) - a.2 * y1.2
            x1.2 = x; y1.2 = y; x = y
            y = (x1.3 + a.3 * x) - a.3 * y1.3
            x1.3 = x; y1.3 = y
            #endif
            return y
        }

        /// After silence the allpass states would sit at the smallest denormal for ever: the
        /// owner flushes them every `StereoBiquad.flushInterval` frames since reset.
        @inlinable @inline(__always)
        mutating func flushState() {
            x1 = (Self.flush(x1.0), Self.flush(x1.1), Self.flush(x1.2), Self.flush(x1.3))
            y1 = (Self.flush(y1.0), Self.flush(y1.1), Self.flush(y1.2), Self.flush(y1.3))
        }
    }

    @usableFromInline var up = Chain()
    @usableFromInline var down = Chain()
    @usableFromInline var previousOdd = SIMD2<Float>.zero

    @usableFromInline init() {}

    @usableFromInline mutating func reset() {
        up.reset()
        down.reset()
        previousOdd = .zero
    }

    /// One input frame → two frames at twice the rate, as (even L, even R, odd L, odd R).
    @inlinable @inline(__always)
    mutating func upsample(_ x: SIMD2<Float>) -> SIMD4<Float> {
        up.process(SIMD4(lowHalf: x, highHalf: x))
    }

    /// Two frames at twice the rate, (even L, even R, odd L, odd R) → one output frame:
    /// `½·(A₀(even) + A₁(previous odd))`.
    @inlinable @inline(__always)
    mutating func downsample(_ frames: SIMD4<Float>) -> SIMD2<Float> {
        let y = down.process(SIMD4(lowHalf: frames.lowHalf, highHalf: previousOdd))
        previousOdd = frames.highHalf
        return 0.5 * (y.lowHalf + y.highHalf)
    }
}
